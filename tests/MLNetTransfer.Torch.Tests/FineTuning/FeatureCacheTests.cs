using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Modules;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests.FineTuning;

/// <summary>
/// The feature cache with K augmented views: what it holds (views that differ, the same for a seed, the evaluation
/// transform for one view), how epochs draw from it, and runs with it (reproducible, resumable, no tensor left behind).
/// </summary>
[Collection("NoParallelization")]
public sealed class FeatureCacheTests
{
    private readonly ITestOutputHelper _output;

    public FeatureCacheTests(ITestOutputHelper output) => _output = output;

    // The default augmentation (random crop, horizontal flip, rotation, brightness and contrast) at 36 -> 32 px.
    private static AugmentationOptions RandomAugmentation => new() { ResizeTo = 36, CropSize = 32 };

    [Fact]
    public void Views_differ_under_random_augmentation_and_are_the_same_for_the_same_seed()
    {
        var (images, labels) = SyntheticBlobs.Make(12, 32, seed: 7);
        var data = FineTuneData.SingleLabel(images, labels, 2);
        random.manual_seed(0);
        using var model = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        var a = Compute(model, data, seed: 5, views: 3, RandomAugmentation);
        Assert.Equal(3, a.Views);
        Assert.Equal(3 * 12 * 512, a.Train.Length);
        for (int i = 0; i < 12; i++)
        {
            for (int v = 0; v < 3; v++)
            {
                for (int w = v + 1; w < 3; w++)
                {
                    Assert.True(MaxDifference(a.Row(v, i), a.Row(w, i)) > 1e-4, $"image {i}: views {v} and {w} are the same");
                }
            }
        }

        Assert.Equal(a.Train, Compute(model, data, seed: 5, views: 3, RandomAugmentation).Train); // a resumed run recomputes this very cache
        Assert.True(MaxDifference(a.Train, Compute(model, data, seed: 6, views: 3, RandomAugmentation).Train) > 1e-4);

        // One view, or no randomness to draw views from: one view, the evaluation transform that validation gets.
        var one = Compute(model, data, seed: 5, views: 1, RandomAugmentation);
        var constant = Compute(model, data, seed: 5, views: 4, AugmentationOptions.EvalOnly(36, 32));
        Assert.Equal((1, 1), (one.Views, constant.Views));
        Assert.True(MaxDifference(one.Train, one.Validation) <= 1e-6);
        Assert.True(MaxDifference(constant.Train, one.Validation) <= 1e-6);

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void An_epoch_draws_one_view_per_image_uniformly_seeded_by_seed_and_epoch()
    {
        const int images = 4000, views = 4;
        int[] Draw(int seed, int epoch) => Enumerable.Range(0, images).Select(i => FeatureCache.ViewOf(seed, epoch, i, views)).ToArray();
        var first = Draw(1, 1);
        Assert.Equal(first, Draw(1, 1));
        foreach (var count in Enumerable.Range(0, views).Select(v => first.Count(x => x == v)))
        {
            // Binomial(4000, 1/4): mean 1000, standard deviation 27.
            Assert.InRange(count, 860, 1140);
        }

        double SameAs(int[] other) => first.Zip(other).Count(p => p.First == p.Second) / (double)images;
        Assert.InRange(SameAs(Draw(1, 2)), 0.2, 0.3); // another epoch draws anew
        Assert.InRange(SameAs(Draw(2, 1)), 0.2, 0.3); // so does another seed
        Assert.All(Enumerable.Range(0, 50), i => Assert.Equal(0, FeatureCache.ViewOf(1, 3, i, views: 1)));
    }

    [Fact]
    public void A_batch_from_the_cache_holds_each_images_view_of_the_epoch()
    {
        var (images, labels) = SyntheticBlobs.Make(10, 32, seed: 8);
        random.manual_seed(0);
        using var model = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
        var options = new FineTuneOptions { Seed = 2, FeatureCacheViews = 3, Augmentation = RandomAugmentation, BatchSize = 4, WorkerCount = 2 };
        using var trainingImages = new TrainingImages(model, FineTuneData.SingleLabel(images, labels, 2), null, options, CPU);
        using var cache = FeatureCache.Compute(model, trainingImages, options);
        var all = cache.Train.data<float>().ToArray();
        int[] indices = { 7, 0, 3, 3, 9 };
        using var batch = cache.TrainBatch(indices, epoch: 5);
        var rows = batch.data<float>().ToArray();
        for (int r = 0; r < indices.Length; r++)
        {
            int row = FeatureCache.ViewOf(2, 5, indices[r], 3) * 10 + indices[r];
            Assert.Equal(all.AsSpan(row * 512, 512).ToArray(), rows.AsSpan(r * 512, 512).ToArray());
        }
    }

    [Fact]
    public void Feature_extraction_with_random_augmentation_trains_from_the_cache_reproducibly_without_leaking_tensors()
    {
        var log = new List<string>();
        var live = new List<long>();
        var a = Run(seed: 4, epochs: 4, configure: o =>
        {
            o.Log = log.Add;
            o.MetricsCallback = _ => live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        });
        _output.WriteLine(string.Join("\n", log));
        _output.WriteLine("live tensors after each epoch: " + string.Join(", ", live));
        Assert.True(a.Result.UsedFeatureCache);
        Assert.Contains(log, m => m.StartsWith("Feature cache: 4 view(s) of each of 48 training images (random augmentation) and 24 validation images, 512 features each", StringComparison.Ordinal));
        Assert.Equal(live[1], live[3]);

        var b = Run(seed: 4, epochs: 4);
        Assert.Equal(0, MaxDifference(a.Weights, b.Weights));
        var uncached = Run(seed: 4, epochs: 4, configure: o => o.CacheFeatures = false);
        Assert.False(uncached.Result.UsedFeatureCache);
        Assert.NotEqual(0, MaxDifference(a.Weights, uncached.Weights));
    }

    [Fact]
    public void A_run_with_the_cache_resumed_from_its_checkpoint_ends_as_an_uninterrupted_one()
    {
        string dir = Directory.CreateTempSubdirectory("mlnettransfer-ckpt-").FullName;
        try
        {
            var uninterrupted = Run(seed: 9, epochs: 3, configure: o => o.FeatureCacheViews = 3);
            using var cancel = new CancellationTokenSource();
            Assert.ThrowsAny<OperationCanceledException>(() => Run(seed: 9, epochs: 3, configure: o =>
            {
                o.FeatureCacheViews = 3;
                o.CheckpointDirectory = dir;
                o.CancellationToken = cancel.Token;
                o.MetricsCallback = e =>
                {
                    if (e.Epoch == 2)
                    {
                        cancel.Cancel();
                    }
                };
            }));

            random.manual_seed(12345);
            var resumed = Run(seed: 9, epochs: 3, configure: o =>
            {
                o.FeatureCacheViews = 3;
                o.CheckpointDirectory = dir;
                o.Resume = true;
            });
            Assert.True(resumed.Result.UsedFeatureCache);
            Assert.Equal(3, resumed.Result.Epochs.Count);
            Assert.True(MaxDifference(uninterrupted.Weights, resumed.Weights) <= 1e-6f);

            // Another number of views is another run: its checkpoint is refused.
            var other = Assert.Throws<InvalidOperationException>(() => Run(seed: 9, epochs: 3, configure: o =>
            {
                o.FeatureCacheViews = 2;
                o.CheckpointDirectory = dir;
                o.Resume = true;
            }));
            Assert.Contains("views 3", other.Message);
            Assert.Contains("views 2", other.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Fewer_than_one_view_is_refused_by_name()
    {
        var (images, labels) = SyntheticBlobs.Make(8, 32, seed: 1);
        using var model = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => FineTuneTrainer.Train(model, FineTuneData.SingleLabel(images, labels, 2), null,
            new FineTuneOptions { Epochs = 1, FeatureCacheViews = 0 }));
        Assert.Equal(nameof(FineTuneOptions.FeatureCacheViews), e.ParamName);
        Assert.Contains("FeatureCacheViews must be at least 1", e.Message);
    }

    private sealed record CacheContents(int Views, float[] Train, float[] Validation)
    {
        public float[] Row(int view, int image) => Train.AsSpan((view * (Train.Length / Views / 512) + image) * 512, 512).ToArray();
    }

    private sealed record FeatureRun(FineTuneResult Result, Dictionary<string, float[]> Weights);

    // The cache of a run with these settings on data (as training and validation set), copied out and disposed.
    private static CacheContents Compute(ResNet model, FineTuneData data, int seed, int views, AugmentationOptions augmentation)
    {
        var options = new FineTuneOptions { Seed = seed, FeatureCacheViews = views, Augmentation = augmentation, BatchSize = 8, WorkerCount = 2 };
        using var images = new TrainingImages(model, data, data, options, CPU);
        using var cache = FeatureCache.Compute(model, images, options);
        return new CacheContents(cache.Views, cache.Train.data<float>().ToArray(), cache.Validation!.data<float>().ToArray());
    }

    // Feature extraction with random augmentation on the blob task, the same random start every time.
    private static FeatureRun Run(int seed, int epochs, Action<FineTuneOptions>? configure = null)
    {
        var (trainImages, trainLabels) = SyntheticBlobs.Make(48, 36, seed: 100);
        var (valImages, valLabels) = SyntheticBlobs.Make(24, 36, seed: 101);
        random.manual_seed(0);
        using var model = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
        var options = new FineTuneOptions
        {
            Strategy = FreezeStrategy.FeatureExtraction,
            Epochs = epochs,
            BatchSize = 16,
            Seed = seed,
            WorkerCount = 2,
            Augmentation = RandomAugmentation,
        };
        configure?.Invoke(options);
        var result = FineTuneTrainer.Train(model, FineTuneData.SingleLabel(trainImages, trainLabels, 2), FineTuneData.SingleLabel(valImages, valLabels, 2), options);
        return new FeatureRun(result, model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.Float32).data<float>().ToArray()));
    }

    private static float MaxDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => MathF.Abs(x - y)).DefaultIfEmpty(0).Max();
    }

    private static float MaxDifference(Dictionary<string, float[]> a, Dictionary<string, float[]> b) =>
        a.Keys.Max(k => MaxDifference(a[k], b[k]));
}
