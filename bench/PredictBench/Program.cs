using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Cli.Scoring;
using MLNetTransfer.SyntheticData;

namespace MLNetTransfer.Bench.Predict;

/// <summary>
/// predict's batched ONNX Runtime scoring (<see cref="BatchedScorer"/>, batches of 1, 8 and 32) against the saved
/// chain's <c>PredictionEngine</c> (ML.NET's row-at-a-time OnnxTransformer), on the same model.zip (ResNet18 feature
/// extraction, 256 px resize, 224 crop, 1 epoch on synthetic images) and the same PNG files. Prints a Markdown table
/// with images/s and ratios to the PredictionEngine.
/// </summary>
/// <remarks>Usage: <c>dotnet run -c Release --project bench/PredictBench -- [--images N] [--rounds R]</c>.</remarks>
internal static class Program
{
    private static int Main(string[] args)
    {
        int images = Arg(args, "--images", 256), rounds = Arg(args, "--rounds", 3);
        string root = Directory.CreateTempSubdirectory("predictbench-").FullName;
        try
        {
            Console.WriteLine(MachineInfo.MachineLine());
            SyntheticChestXrays.WriteDataset(root, size: 256, train: 32, validation: 16, test: images);
            var ml = new MLContext(seed: 1);
            string modelPath = Path.Combine(root, "model.zip");
            Train(ml, root, modelPath);
            var files = ml.Data.LoadFromImagePaths(new[] { Path.Combine(root, "test") }).GetColumn<string>("ImagePath").ToList();

            using var model = ModelFile.Load(ml, modelPath);
            var engine = ml.Model.CreatePredictionEngine<Input, Output>(model.Model);
            var results = new List<(string Name, double ImagesPerSecond)>();
            for (int round = 0; round < rounds; round++)
            {
                results.Add(("PredictionEngine (the chain, one row per call)", Measure(files, f => engine.Predict(new Input { ImagePath = f }))));
                foreach (int batch in new[] { 1, 8, 32 })
                {
                    using var scorer = new BatchedScorer(ml, model, batch);
                    results.Add(($"predict --output, --batch-size {batch}", Measure(files, null, scorer)));
                }
            }

            double baseline = Median(results.Where(r => r.Name.StartsWith("PredictionEngine", StringComparison.Ordinal)).Select(r => r.ImagesPerSecond));
            Console.WriteLine();
            Console.WriteLine($"{files.Count} images (256 px PNG, ResNet18 at 224 px), median of {rounds} rounds:");
            Console.WriteLine();
            Console.WriteLine("| path | images/s | ratio to PredictionEngine |");
            Console.WriteLine("|---|---:|---:|");
            foreach (var group in results.GroupBy(r => r.Name))
            {
                double median = Median(group.Select(r => r.ImagesPerSecond));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {group.Key} | {median:F1} | {median / baseline:F2}x |"));
            }

            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    // Warm-up on the first 8 files, then the whole set timed.
    private static double Measure(IReadOnlyList<string> files, Action<string>? predict, BatchedScorer? scorer = null)
    {
        void Score(IEnumerable<string> set)
        {
            if (scorer is not null)
            {
                scorer.Score(set, (_, _, _) => { }, CancellationToken.None);
            }
            else
            {
                foreach (var f in set)
                {
                    predict!(f);
                }
            }
        }

        Score(files.Take(8));
        var clock = Stopwatch.StartNew();
        Score(files);
        return files.Count / clock.Elapsed.TotalSeconds;
    }

    private static void Train(MLContext ml, string root, string modelPath)
    {
        var rows = new[] { "train", "val" }.SelectMany(split => SyntheticChestXrays.ClassNames.SelectMany(c =>
            Directory.GetFiles(Path.Combine(root, split, c)).Select(f => new Input { ImagePath = f, Label = c }))).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.FineTuneResNet(new ResNetFineTuneTrainer.Options
            {
                ImageColumnName = nameof(Input.ImagePath),
                Strategy = FreezeStrategy.FeatureExtraction,
                Augmentation = AugmentationOptions.EvalOnly(),
                Epochs = 1,
                BatchSize = 16,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(data);
        ml.Model.Save(model, data.Schema, modelPath);
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed class Input
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";
    }

    private sealed class Output
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }
}
