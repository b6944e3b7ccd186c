using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Cli.Training;

namespace MLNetTransfer.Cli.Scoring;

/// <summary>
/// Two models' scores of the same images, row by row, with the images' labels, as one view that the library's
/// <c>CompareAuc</c> and <c>EvaluateDiagnostics</c> read: <see cref="LabelColumn"/> is a key over the classes in the
/// models' order (single-label; mapped by MapValueToKey with the classes as key data, as training maps it) or a vector of
/// targets named by its slot names (multi-label), and <see cref="ScoreA"/> and <see cref="ScoreB"/> are the probability
/// vectors.
/// </summary>
internal static class PairedScores
{
    public const string LabelColumn = "Label";
    public const string ScoreA = "ScoreA";
    public const string ScoreB = "ScoreB";

    /// <param name="ml">The context.</param>
    /// <param name="task">The models' task.</param>
    /// <param name="classNames">The classes or labels, in the order of the score vectors' slots.</param>
    /// <param name="records">The images, in the order of the score rows.</param>
    /// <param name="scoresA">One probability vector per image.</param>
    /// <param name="scoresB">The other model's, with its slots in the same order.</param>
    /// <param name="what">The images in words, for the error of an image whose label is not a class of the models.</param>
    public static IDataView Create(MLContext ml, TaskKind task, IReadOnlyList<string> classNames, IReadOnlyList<ImageRecord> records,
        float[][] scoresA, float[][] scoresB, string what)
    {
        if (scoresA.Length != records.Count || scoresB.Length != records.Count)
        {
            throw new InvalidOperationException($"{records.Count} images but {scoresA.Length} and {scoresB.Length} rows of scores.");
        }

        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.ScoreA)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, classNames.Count);
        definition[nameof(Row.ScoreB)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, classNames.Count);
        if (task == TaskKind.MultiLabel)
        {
            var label = definition[nameof(Row.Targets)];
            label.ColumnName = LabelColumn;
            label.ColumnType = new VectorDataViewType(NumberDataViewType.Single, classNames.Count);
            var names = new VBuffer<ReadOnlyMemory<char>>(classNames.Count, classNames.Select(n => n.AsMemory()).ToArray());
            label.AddAnnotation("SlotNames", names, new VectorDataViewType(TextDataViewType.Instance, classNames.Count));
            definition.Remove(definition[nameof(Row.Label)]);
            return ml.Data.LoadFromEnumerable(records.Select((r, i) => new Row { Targets = Targets(r, classNames, what), ScoreA = scoresA[i], ScoreB = scoresB[i] }).ToList(), definition);
        }

        definition.Remove(definition[nameof(Row.Targets)]);
        var rows = ml.Data.LoadFromEnumerable(records.Select((r, i) => new Row { Label = Label(r, classNames, what), ScoreA = scoresA[i], ScoreB = scoresB[i] }).ToList(), definition);
        return ml.Transforms.Conversion.MapValueToKey(LabelColumn, keyData: ImageRows.KeyData(ml, classNames)).Fit(rows).Transform(rows);
    }

    // A label the models do not know would become ML.NET's missing key, which the evaluators refuse by row number only.
    private static string Label(ImageRecord record, IReadOnlyList<string> classNames, string what) =>
        record.Label is { } label && classNames.Contains(label, StringComparer.Ordinal)
            ? label
            : throw new CliException(ExitCodes.DataError,
                $"{what}: {record.Source} has the label '{record.Label}', which is not one of the models' classes ({string.Join(", ", classNames)}).");

    private static float[] Targets(ImageRecord record, IReadOnlyList<string> classNames, string what) =>
        record.Labels is { } targets && targets.Length == classNames.Count
            ? targets
            : throw new CliException(ExitCodes.DataError,
                $"{what}: {record.Source} has {record.Labels?.Length ?? 0} targets, but the models have {classNames.Count} labels ({string.Join(", ", classNames)}).");

    private sealed class Row
    {
        public string Label { get; set; } = "";

        public float[] Targets { get; set; } = [];

        public float[] ScoreA { get; set; } = [];

        public float[] ScoreB { get; set; } = [];
    }
}
