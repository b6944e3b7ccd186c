using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using MLNetTransfer.FineTuning;
using MLNetTransfer.Scoring;

namespace MLNetTransfer.Bench.Scoring;

/// <summary>The batched scoring API end to end: image paths in, ML.NET's preprocessing, batched ONNX Runtime.</summary>
internal static class ApiRunner
{
    public static (Measurement, float[][]) Run(ResNetFineTuneTransformer model, ImageSet images, int batchSize)
    {
        using var scorer = BatchScorer.Create(model, nameof(ImageSet.Row.ImagePath), images.Root, batchSize);
        var paths = images.Rows.Select(r => r.ImagePath).ToList();
        _ = scorer.Predict(paths.Take(batchSize)).Count();

        // A batch's time: from the first image of a batch asked for to its last one handed out.
        var calls = new List<double>();
        var values = new float[paths.Count][];
        var total = Stopwatch.StartNew();
        long start = Stopwatch.GetTimestamp();
        int i = 0;
        foreach (var scored in scorer.Predict(paths))
        {
            values[i++] = scored.Score;
            if (i % batchSize == 0 || i == paths.Count)
            {
                long now = Stopwatch.GetTimestamp();
                calls.Add(Stopwatch.GetElapsedTime(start, now).TotalMilliseconds);
                start = now;
            }
        }

        total.Stop();
        return (new Measurement($"BatchScorer from image paths (ML.NET preprocessing + ORT), batch {batchSize}", batchSize, paths.Count, total.Elapsed.TotalSeconds, calls), values);
    }
}
