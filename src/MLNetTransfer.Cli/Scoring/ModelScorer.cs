using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Cli.Training;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer.Cli.Scoring;

/// <summary>Runs a loaded model.zip over image records through ML.NET (the model's own chain) and collects the rows.</summary>
internal static class ModelScorer
{
    /// <summary>
    /// Scores <paramref name="records"/> with <see cref="ModelFile.KeyedModel"/> and returns the scored view (Label and
    /// PredictedLabel as keys, for ML.NET's evaluators) and the rows read from it.
    /// </summary>
    public static (IDataView Scored, ScoredSet Rows) Score(MLContext ml, ModelFile model, IReadOnlyList<ImageRecord> records)
    {
        bool multiLabel = model.Task == TaskKind.MultiLabel;
        // Unknown truth (predict) is an empty label, which the model's MapValueToKey maps to the missing key, or NaN targets.
        var rows = records.Select(r => r with
        {
            Label = multiLabel ? null : r.Label ?? "",
            Labels = multiLabel ? r.Labels ?? Enumerable.Repeat(float.NaN, model.ClassNames.Count).ToArray() : null,
        }).ToList();
        IDataView input = ImageRows.Create(ml, rows, model.ClassNames, multiLabel);
        if (model.ImageColumn != ImageRows.PathColumn)
        {
            input = ml.Transforms.CopyColumns(model.ImageColumn, ImageRows.PathColumn).Fit(input).Transform(input);
        }

        var scored = model.KeyedModel().Transform(input);
        return (scored, Read(scored, model, records));
    }

    private static ScoredSet Read(IDataView scored, ModelFile model, IReadOnlyList<ImageRecord> records)
    {
        bool multiLabel = model.Task == TaskKind.MultiLabel;
        var scoreColumn = scored.Schema["Score"];
        var labelColumn = scored.Schema[ImageRows.LabelColumn];
        var predictedColumn = multiLabel ? (DataViewSchema.Column?)null : scored.Schema["PredictedLabel"];
        var wanted = new[] { scoreColumn, labelColumn }.Concat(predictedColumn is { } p ? new[] { p } : Array.Empty<DataViewSchema.Column>());
        var scores = new List<float[]>();
        var labels = new List<int>();
        var targets = new List<float[]>();
        var predicted = new List<int>();
        using (var cursor = scored.GetRowCursor(wanted))
        {
            var readScore = cursor.GetGetter<VBuffer<float>>(scoreColumn);
            VBuffer<float> buffer = default;
            if (multiLabel)
            {
                var readTargets = cursor.GetGetter<VBuffer<float>>(labelColumn);
                VBuffer<float> target = default;
                while (cursor.MoveNext())
                {
                    readScore(ref buffer);
                    readTargets(ref target);
                    scores.Add(buffer.DenseValues().ToArray());
                    targets.Add(target.DenseValues().ToArray());
                }
            }
            else
            {
                // Keys are 1-based, 0 is missing (a label outside the model's classes, or none).
                var readLabel = cursor.GetGetter<uint>(labelColumn);
                var readPredicted = cursor.GetGetter<uint>(predictedColumn!.Value);
                uint key = 0, predictedKey = 0;
                while (cursor.MoveNext())
                {
                    readScore(ref buffer);
                    readLabel(ref key);
                    readPredicted(ref predictedKey);
                    scores.Add(buffer.DenseValues().ToArray());
                    labels.Add((int)key - 1);
                    predicted.Add((int)predictedKey - 1);
                }
            }
        }

        if (scores.Count != records.Count)
        {
            throw new InvalidOperationException($"The model returned {scores.Count} rows for {records.Count} images.");
        }

        return new ScoredSet
        {
            Files = records.Select(r => r.Path).ToList(),
            Scores = scores.ToArray(),
            Labels = multiLabel ? null : labels.ToArray(),
            Targets = multiLabel ? targets.ToArray() : null,
            Predicted = multiLabel ? null : predicted.ToArray(),
        };
    }
}
