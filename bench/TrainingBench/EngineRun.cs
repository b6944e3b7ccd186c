using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using MLNetTransfer.Torch;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Modules;
using TorchSharp;

namespace MLNetTransfer.Bench.Training;

/// <summary>
/// Items 1 and 2: our fine-tune (FineTuneTrainer, LastStages(2), 1-channel stem, batch 16, no validation) timed over
/// epochs 2..E; epoch 1 is the warm-up (JIT, libtorch's first allocations, and the decode cache filling).
/// </summary>
/// <remarks>
/// Variant "files": the PNGs from disk with the default augmentation (resize, random crop, flip, ±10°, ±0.1
/// brightness/contrast), as a user runs it. Variant "memory": pixels already in memory at the crop size and no
/// augmentation, so the data path does almost nothing: the engine's own loop overhead against the bare loop.
/// "--reuse-native-memory false" turns FineTuneOptions.ReuseNativeMemory off (impl "ours-no-reuse"): what glibc's
/// default malloc settings cost.
/// </remarks>
internal static class EngineRun
{
    public static void Run(BenchArgs a)
    {
        string arch = a.Text("arch");
        int crop = a.Int("crop");
        int count = a.Int("images");
        int epochs = a.Int("epochs", 2);
        string variant = a.Text("variant", "files");
        bool reuse = a.Bool("reuse-native-memory", fallback: true);
        var data = variant == "files" ? PngFolder.Read(a.Text("dir"), count) : InMemory(count, crop);
        var augmentation = variant == "files"
            ? new AugmentationOptions { ResizeTo = PngFolder.ResizeFor(crop), CropSize = crop }
            : AugmentationOptions.EvalOnly(crop, crop);

        using var model = new ResNet(Architectures.Layout(arch), inChannels: 1);
        var stepTimes = new List<(int Epoch, double Seconds)>();
        var clock = Stopwatch.StartNew();
        double last = 0;
        var result = FineTuneTrainer.Train(model, data, null, new FineTuneOptions
        {
            Strategy = FreezeStrategy.LastStages(2),
            Epochs = epochs,
            BatchSize = 16,
            Augmentation = augmentation,
            ReuseNativeMemory = reuse,
            StepCallback = s =>
            {
                double now = clock.Elapsed.TotalSeconds;
                stepTimes.Add((s.Epoch, now - last));
                last = now;
            },
            MetricsCallback = _ => last = clock.Elapsed.TotalSeconds,
        });

        // EpochMetrics.ImagesPerSecond is the epoch's training throughput (validation excluded; there is none here).
        int perEpoch = count / 16 * 16;
        var measured = result.Epochs.Where(e => e.Epoch >= 2).ToList();
        double seconds = measured.Sum(e => perEpoch / e.ImagesPerSecond);
        var steady = stepTimes.Where(s => s.Epoch >= 2).Select(s => s.Seconds * 1000).OrderBy(x => x).ToArray();
        Json.Emit(new Dictionary<string, object>
        {
            ["bench"] = "train",
            ["impl"] = (variant == "files" ? "ours" : "ours-memory") + (reuse ? "" : "-no-reuse"),
            ["arch"] = arch,
            ["crop"] = crop,
            ["images"] = perEpoch * measured.Count,
            ["images_per_s"] = perEpoch * measured.Count / seconds,
            ["epoch1_images_per_s"] = result.Epochs[0].ImagesPerSecond,
            ["median_step_ms"] = steady.Length == 0 ? double.NaN : steady[steady.Length / 2],
            ["peak_rss_mib"] = ProcessMemory.PeakRssMiB,
            ["threads"] = torch.get_num_threads(),
        });
    }

    // Random pixels at the crop size: what the network sees does not change its speed.
    private static FineTuneData InMemory(int count, int crop)
    {
        var random = new Random(1);
        var images = Enumerable.Range(0, count).Select(i => ImageSource.FromImage(
            DecodedImage.FromPixels(Enumerable.Range(0, crop * crop).Select(_ => (float)random.NextDouble()).ToArray(), crop, crop, channels: 1), $"random-{i}")).ToList();
        return FineTuneData.SingleLabel(images, Enumerable.Range(0, count).Select(i => i % 2).ToList(), classes: 2);
    }
}
