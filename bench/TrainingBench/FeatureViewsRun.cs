using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Torch;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Modules;

namespace MLNetTransfer.Bench.Training;

/// <summary>
/// Issue 12, item 10: feature extraction on the embedded synthetic chest X-ray set (the command line's demo data:
/// 400 training images of seed 2026, 100 validation images of seed 2027, 128 px) with the default random augmentation
/// cropping 112 px, trained from the feature cache with K augmented views (<c>--cache true</c>) or with the backbone
/// run on freshly augmented images every epoch (<c>--cache false</c>). Reports epoch 1 (with the cache: the K feature
/// passes), the mean of epochs 2..N, and the validation AUC. <c>views-report</c> turns the RESULT lines into the table
/// of BENCHMARKS.md.
/// </summary>
internal static class FeatureViewsRun
{
    public static void Run(BenchArgs a)
    {
        bool cache = a.Bool("cache", fallback: true);
        int views = a.Int("views", 4);
        int epochs = a.Int("epochs", 6);
        int trainCount = a.Int("train", 400), validationCount = a.Int("validation", 100);
        int size = a.Int("size", 128), crop = a.Int("crop", 112);
        string weights = a.Text("weights", "mlnet");
        var train = Data(trainCount, size, seed: 2026);
        var validation = Data(validationCount, size, seed: 2027);
        using var model = weights switch
        {
            "mlnet" => MLNetResNet18.Load(new PretrainedOptions { Grayscale = true }),
            "random" => new ResNet(ResNetLayout.ResNet18, inChannels: 1),
            _ => throw new ArgumentException($"--weights is mlnet or random, not '{weights}'."),
        };

        // Process CPU time at the end of each epoch as well as wall time: the machine is shared, and CPU time counts only
        // what this run computed (all its threads), however long other work kept it waiting.
        var log = new List<string>();
        var cpu = new List<double>();
        using var process = Process.GetCurrentProcess();
        double CpuSeconds()
        {
            process.Refresh();
            return process.TotalProcessorTime.TotalSeconds;
        }

        double cpuStart = CpuSeconds();
        var watch = Stopwatch.StartNew();
        var result = FineTuneTrainer.Train(model, train, validation, new FineTuneOptions
        {
            Strategy = FreezeStrategy.FeatureExtraction,
            Epochs = epochs,
            Augmentation = new AugmentationOptions { ResizeTo = size, CropSize = crop },
            CacheFeatures = cache,
            FeatureCacheViews = views,
            Log = log.Add,
            MetricsCallback = _ => cpu.Add(CpuSeconds()),
        });
        double total = watch.Elapsed.TotalSeconds;
        foreach (var line in log)
        {
            Console.Error.WriteLine(line);
        }

        // Epoch 1 is the run's wall time less the later epochs: it holds the setup and, with the cache, the feature passes.
        double later = result.Epochs.Skip(1).Sum(e => e.Seconds);
        var best = result.Epochs.Single(e => e.Epoch == result.BestEpoch);
        Json.Emit(new Dictionary<string, object>
        {
            ["bench"] = "views",
            ["impl"] = cache ? "cached" : "uncached",
            ["weights"] = weights == "mlnet" ? "resnet18-mlnet (ImageNet, ML.NET's package)" : "resnet18, random initialisation",
            ["views"] = cache ? views : 0,
            ["train"] = trainCount,
            ["validation"] = validationCount,
            ["size"] = size,
            ["crop"] = crop,
            ["epochs"] = epochs,
            ["used_cache"] = result.UsedFeatureCache,
            ["epoch1_s"] = total - later,
            ["later_epoch_s"] = later / (epochs - 1),
            ["total_s"] = total,
            ["best_epoch"] = result.BestEpoch,
            ["best_auc"] = best.ValidationAuc,
            ["last_auc"] = result.Epochs[^1].ValidationAuc,
            ["aucs"] = result.Epochs.Select(e => e.ValidationAuc).ToArray(),
            ["epoch_s"] = result.Epochs.Select(e => e.Seconds).ToArray(),
            ["epoch1_cpu_s"] = cpu[0] - cpuStart,
            ["later_epoch_cpu_s"] = (cpu[^1] - cpu[0]) / (epochs - 1),
            ["machine"] = MachineInfo.MachineLine(),
        });
    }

    /// <summary>A markdown table of the "views" RESULT lines in <c>--results</c>, on stdout.</summary>
    public static void Report(BenchArgs a)
    {
        var rows = File.ReadLines(a.Text("results")).Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .Where(r => r.GetProperty("bench").GetString() == "views").ToList();
        var s = new StringBuilder();
        string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
        s.AppendLine("| round | run | views | used the cache | epoch 1 s | epochs 2..N, s each | epoch 1 ÷ later epoch | CPU s: epoch 1 / later epoch | total s | best epoch | AUC, best epoch | AUC, last epoch | AUC per epoch | load average after |")
            .AppendLine("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
        foreach (var x in rows)
        {
            double first = x.GetProperty("epoch1_s").GetDouble(), later = x.GetProperty("later_epoch_s").GetDouble();
            string aucs = string.Join(" ", x.GetProperty("aucs").EnumerateArray().Select(v => v.GetDouble().ToString("F3", CultureInfo.InvariantCulture)));
            s.AppendLine(F($"| {x.GetProperty("round").GetInt32()} | {x.GetProperty("impl").GetString()} | {x.GetProperty("views").GetInt32()} | {x.GetProperty("used_cache").GetBoolean()} | ")
                + F($"{first:F2} | {later:F3} | {first / later:F1}× | {x.GetProperty("epoch1_cpu_s").GetDouble():F1} / {x.GetProperty("later_epoch_cpu_s").GetDouble():F2} | ")
                + F($"{x.GetProperty("total_s").GetDouble():F1} | {x.GetProperty("best_epoch").GetInt32()} | ")
                + F($"{x.GetProperty("best_auc").GetDouble():F3} | {x.GetProperty("last_auc").GetDouble():F3} | {aucs} | {x.GetProperty("load_average").GetString()} |"));
        }

        // Per round: the uncached run's later epoch against the cached one's, and the whole runs.
        foreach (var round in rows.GroupBy(r => r.GetProperty("round").GetInt32()))
        {
            var cached = round.FirstOrDefault(r => r.GetProperty("impl").GetString() == "cached");
            var uncached = round.FirstOrDefault(r => r.GetProperty("impl").GetString() == "uncached");
            if (cached.ValueKind == JsonValueKind.Undefined || uncached.ValueKind == JsonValueKind.Undefined)
            {
                continue;
            }

            s.AppendLine().Append(F($"Round {round.Key}: a later epoch takes {uncached.GetProperty("later_epoch_s").GetDouble() / cached.GetProperty("later_epoch_s").GetDouble():F0}× less time with the cache; "))
                .Append(F($"epoch 1 takes {cached.GetProperty("epoch1_s").GetDouble() / uncached.GetProperty("epoch1_s").GetDouble():F1}× as long; the whole run {uncached.GetProperty("total_s").GetDouble() / cached.GetProperty("total_s").GetDouble():F2}× less."));
        }

        Console.WriteLine(s.ToString().TrimEnd());
    }

    // The demo data's images as the loader takes them: gray values / 255, as a PNG of them decodes.
    private static FineTuneData Data(int count, int size, int seed)
    {
        var images = SyntheticChestXrays.Generate(count, size, seed).ToList();
        return FineTuneData.SingleLabel(
            images.Select(i => ImageSource.FromImage(DecodedImage.FromPixels(i.Pixels.Select(b => b / 255f).ToArray(), size, size, channels: 1), i.Name)).ToList(),
            images.Select(i => i.Opacity ? 1 : 0).ToList(), classes: 2);
    }
}
