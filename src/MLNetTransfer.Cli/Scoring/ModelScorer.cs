using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Cli.Training;

namespace MLNetTransfer.Cli.Scoring;

/// <summary>Runs a loaded model.zip over image records through ML.NET (the model's own chain).</summary>
internal static class ModelScorer
{
    /// <summary>
    /// <paramref name="records"/> scored by <see cref="ModelFile.KeyedModel"/>: Label and PredictedLabel stay keys, as
    /// ML.NET's evaluators want them. Lazy, as ML.NET's views are: each pass over it runs the model again.
    /// </summary>
    public static IDataView Transform(MLContext ml, ModelFile model, IReadOnlyList<ImageRecord> records)
    {
        bool multiLabel = model.Task == TaskKind.MultiLabel;
        // Unknown truth (predict) is an empty label, which MapValueToKey maps to the missing key, or NaN targets.
        var rows = records.Select(r => r with
        {
            Label = multiLabel ? null : r.Label ?? "",
            Labels = multiLabel ? r.Labels ?? Enumerable.Repeat(float.NaN, model.ClassNames.Count).ToArray() : null,
        }).ToList();
        IDataView input = ImageRows.Create(ml, rows, model.ClassNames, multiLabel);
        if (!multiLabel && !model.KeysLabel)
        {
            // A label-free model: the truth becomes a key in the model's class order here (an empty one, the missing key).
            input = ml.Transforms.Conversion.MapValueToKey(ImageRows.LabelColumn, keyData: ImageRows.KeyData(ml, model.ClassNames)).Fit(input).Transform(input);
        }

        if (model.ImageColumn != ImageRows.PathColumn)
        {
            input = ml.Transforms.CopyColumns(model.ImageColumn, ImageRows.PathColumn).Fit(input).Transform(input);
        }

        return model.KeyedModel().Transform(input);
    }

    /// <summary>
    /// Scores <paramref name="records"/> and reads each row's probabilities and predicted class; stops with
    /// <see cref="OperationCanceledException"/> between rows once <paramref name="cancellation"/> is cancelled.
    /// </summary>
    public static ScoredSet Score(MLContext ml, ModelFile model, IReadOnlyList<ImageRecord> records, CancellationToken cancellation = default)
    {
        IDataView scored = Transform(ml, model, records);
        bool multiLabel = model.Task == TaskKind.MultiLabel;
        var scoreColumn = scored.Schema["Score"];
        var predictedColumn = multiLabel ? (DataViewSchema.Column?)null : scored.Schema["PredictedLabel"];
        var wanted = predictedColumn is { } p ? new[] { scoreColumn, p } : new[] { scoreColumn };
        var scores = new List<float[]>();
        var predicted = new List<int>();
        using (var cursor = scored.GetRowCursor(wanted))
        {
            var readScore = cursor.GetGetter<VBuffer<float>>(scoreColumn);
            var readPredicted = predictedColumn is { } column ? cursor.GetGetter<uint>(column) : null;
            VBuffer<float> buffer = default;
            uint predictedKey = 0;
            // Stop between rows: the cursor is disposed before the exception below, so no row is in flight when the command returns.
            while (!cancellation.IsCancellationRequested && cursor.MoveNext())
            {
                readScore(ref buffer);
                scores.Add(buffer.DenseValues().ToArray());
                if (readPredicted is not null)
                {
                    // Keys are 1-based, 0 is missing.
                    readPredicted(ref predictedKey);
                    predicted.Add((int)predictedKey - 1);
                }
            }
        }

        cancellation.ThrowIfCancellationRequested();
        if (scores.Count != records.Count)
        {
            throw new InvalidOperationException($"The model returned {scores.Count} rows for {records.Count} images.");
        }

        return new ScoredSet
        {
            Files = records.Select(r => r.Path).ToList(),
            Scores = scores.ToArray(),
            Predicted = multiLabel ? null : predicted.ToArray(),
        };
    }

}
