using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Modules;

namespace MLNetTransfer.Bench.Training;

/// <summary>
/// Item 3: FeatureExtraction with no random augmentation, so the engine computes the frozen backbone's features once
/// (before epoch 1) and trains the head on them. Reports the first epoch with the feature pass against epochs 2..E, and,
/// with <c>--cache false</c>, the same run without the cache, where every epoch runs the backbone.
/// </summary>
internal static class FeatureCacheRun
{
    public static void Run(BenchArgs a)
    {
        string arch = a.Text("arch");
        int crop = a.Int("crop");
        int count = a.Int("images");
        int epochs = a.Int("epochs");
        bool cache = a.Bool("cache", fallback: true);
        var data = PngFolder.Read(a.Text("dir"), count);
        using var model = new ResNet(Architectures.Layout(arch), inChannels: 1);
        var watch = Stopwatch.StartNew();
        var result = FineTuneTrainer.Train(model, data, null, new FineTuneOptions
        {
            Strategy = FreezeStrategy.FeatureExtraction,
            Epochs = epochs,
            BatchSize = 16,
            Augmentation = AugmentationOptions.EvalOnly(PngFolder.ResizeFor(crop), crop),
            CacheFeatures = cache,
        });
        double total = watch.Elapsed.TotalSeconds;

        // With the cache, the feature pass runs before epoch 1's clock starts: count it (and the run's setup) in epoch 1.
        double later = result.Epochs.Skip(1).Sum(e => e.Seconds);
        double first = total - later;
        Json.Emit(new Dictionary<string, object>
        {
            ["bench"] = "cache",
            ["impl"] = cache ? "cached" : "uncached",
            ["arch"] = arch,
            ["crop"] = crop,
            ["images"] = count,
            ["epochs"] = epochs,
            ["used_cache"] = result.UsedFeatureCache,
            ["epoch1_s"] = first,
            ["later_epoch_s"] = later / (epochs - 1),
        });
    }
}
