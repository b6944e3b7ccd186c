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

/// <summary>The training loop on CPU with small generated images: it learns, and its guarantees hold.</summary>
[Collection("NoParallelization")]
public sealed class FineTuneTrainerTests
{
    private const int Size = 64;
    private readonly ITestOutputHelper _output;

    public FineTuneTrainerTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string> Strategies => new() { "feature-extraction", "last-stages:2", "full" };

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Pretrained_resnet18_learns_the_blob_task(string strategy)
    {
        var (trainImages, trainLabels) = SyntheticBlobs.Make(240, Size, seed: 1);
        var (valImages, valLabels) = SyntheticBlobs.Make(100, Size, seed: 2);
        using var model = MLNetResNet18.Load(new PretrainedOptions { Grayscale = true });
        var parsed = FreezeStrategy.Parse(strategy);
        var options = new FineTuneOptions
        {
            Strategy = parsed,
            Epochs = parsed.Kind == FreezeStrategyKind.FeatureExtraction ? 8 : 4,
            BatchSize = 16,
            Augmentation = parsed.Kind == FreezeStrategyKind.FeatureExtraction
                ? AugmentationOptions.EvalOnly(Size, Size)
                : new AugmentationOptions { ResizeTo = Size, CropSize = Size - 8 },
            Log = m => _output.WriteLine(m),
        };
        var frozenBn = (TorchSharp.Modules.BatchNorm2d)model.named_modules().First(m => m.name == "layer1.0.bn1").module;
        var frozenMean = frozenBn.running_mean!.clone();
        var result = FineTuneTrainer.Train(model, FineTuneData.SingleLabel(trainImages, trainLabels, 2), FineTuneData.SingleLabel(valImages, valLabels, 2), options);
        foreach (var e in result.Epochs)
        {
            _output.WriteLine($"{strategy} epoch {e.Epoch}: train loss {e.TrainLoss:F4}, val loss {e.ValidationLoss:F4}, AUC {e.ValidationAuc:F4}, acc {e.ValidationAccuracy:F3}, {e.ImagesPerSecond:F0} img/s{(e.IsBest ? " *" : "")}");
        }

        _output.WriteLine($"trainable parameters {result.TrainableParameters}, cache {result.UsedFeatureCache}, {result.TrainSeconds:F1} s");
        double bestAuc = result.Epochs.Single(e => e.Epoch == result.BestEpoch).ValidationAuc;
        Assert.True(bestAuc >= 0.9, $"{strategy}: validation AUC {bestAuc:F3} < 0.9");
        Assert.Equal(parsed.Kind == FreezeStrategyKind.FeatureExtraction, result.UsedFeatureCache);
        if (parsed.Kind != FreezeStrategyKind.Full)
        {
            // layer1 is frozen with frozen BatchNorm: its statistics are the pretrained ones after training
            // (docs/pitfalls.md, "Frozen BatchNorm must stay in eval mode").
            Assert.True(frozenBn.running_mean!.equal(frozenMean).all().item<bool>());
        }
    }

    [Fact]
    public void Same_seed_same_data_gives_identical_weights()
    {
        var a = TrainSmall(FreezeStrategy.LastStages(2), epochs: 2, seed: 5);
        var b = TrainSmall(FreezeStrategy.LastStages(2), epochs: 2, seed: 5);
        var c = TrainSmall(FreezeStrategy.LastStages(2), epochs: 2, seed: 6);
        AssertSameWeights(a.Weights, b.Weights, 0);
        Assert.NotEqual(0, MaxDifference(a.Weights, c.Weights));
    }

    [Fact]
    public void Resumed_run_ends_with_the_weights_of_an_uninterrupted_run()
    {
        string dir = Directory.CreateTempSubdirectory("mlnettransfer-ckpt-").FullName;
        try
        {
            var uninterrupted = TrainSmall(FreezeStrategy.LastStages(2), epochs: 3, seed: 9);

            // Interrupt after epoch 2 (the checkpoint of epoch 2 is written before MetricsCallback runs) ...
            using var cancel = new CancellationTokenSource();
            Assert.ThrowsAny<OperationCanceledException>(() => TrainSmall(FreezeStrategy.LastStages(2), epochs: 3, seed: 9, configure: o =>
            {
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

            // ... and resume in a fresh process-like setting: a new model, new optimizer, RNG disturbed.
            random.manual_seed(12345);
            var resumed = TrainSmall(FreezeStrategy.LastStages(2), epochs: 3, seed: 9, configure: o =>
            {
                o.CheckpointDirectory = dir;
                o.Resume = true;
            });
            Assert.Equal(3, resumed.Result.Epochs.Count);
            Assert.Equal(uninterrupted.Result.BestEpoch, resumed.Result.BestEpoch);
            AssertSameWeights(uninterrupted.Weights, resumed.Weights, 1e-6f);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_run_resumed_after_early_stopping_stops_there_too()
    {
        string dir = Directory.CreateTempSubdirectory("mlnettransfer-ckpt-").FullName;
        try
        {
            void Stopping(FineTuneOptions o)
            {
                o.CheckpointDirectory = dir;
                o.EarlyStoppingPatience = 1;
                o.EarlyStoppingMinDelta = 1e9; // no epoch after the first improves: stop after epoch 2
                o.RestoreBestWeights = false;
            }

            var first = TrainSmall(FreezeStrategy.LastStages(1), epochs: 4, seed: 2, configure: Stopping);
            Assert.True(first.Result.StoppedEarly);
            Assert.Equal(2, first.Result.Epochs.Count);

            var resumed = TrainSmall(FreezeStrategy.LastStages(1), epochs: 4, seed: 2, configure: o =>
            {
                Stopping(o);
                o.Resume = true;
            });
            Assert.True(resumed.Result.StoppedEarly);
            Assert.Equal(2, resumed.Result.Epochs.Count);
            AssertSameWeights(first.Weights, resumed.Weights, 0);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void An_empty_validation_set_and_an_undefined_auc_metric_are_refused_by_name()
    {
        var (images, labels) = SyntheticBlobs.Make(32, 32, seed: 1);
        using var model = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
        var train = FineTuneData.SingleLabel(images, labels, 2);
        var options = new FineTuneOptions { Strategy = FreezeStrategy.LastStages(1), Epochs = 1, BatchSize = 16, Augmentation = AugmentationOptions.EvalOnly(32, 32) };
        var empty = Assert.Throws<ArgumentException>(() => FineTuneTrainer.Train(model, train, FineTuneData.SingleLabel(Array.Empty<ImageSource>(), Array.Empty<int>(), 2), options));
        Assert.Contains("validation set is empty", empty.Message);

        var oneClass = FineTuneData.SingleLabel(images.Take(8).ToList(), new int[8], 2);
        options.BestModelMetric = BestModelMetric.ValidationAuc;
        var auc = Assert.Throws<InvalidOperationException>(() => FineTuneTrainer.Train(model, train, oneClass, options));
        Assert.Contains("BestModelMetric", auc.Message);
    }

    [Fact]
    public void Resuming_with_other_settings_or_from_a_corrupt_checkpoint_fails_clearly()
    {
        string dir = Directory.CreateTempSubdirectory("mlnettransfer-ckpt-").FullName;
        try
        {
            TrainSmall(FreezeStrategy.LastStages(1), epochs: 1, seed: 1, configure: o => o.CheckpointDirectory = dir);
            var mismatch = Assert.Throws<InvalidOperationException>(() => TrainSmall(FreezeStrategy.LastStages(1), epochs: 2, seed: 1, configure: o =>
            {
                o.CheckpointDirectory = dir;
                o.Resume = true;
            }));
            Assert.Contains("epochs 1", mismatch.Message);
            Assert.Contains("epochs 2", mismatch.Message);

            string path = Path.Combine(dir, "checkpoint-last.mlnt");
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 3).ToArray());
            var corrupt = Assert.Throws<InvalidDataException>(() => TrainSmall(FreezeStrategy.LastStages(1), epochs: 1, seed: 1, configure: o =>
            {
                o.CheckpointDirectory = dir;
                o.Resume = true;
            }));
            Assert.Contains(path, corrupt.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)] // without random augmentation every view would be the same: one is cached
    public void Cached_features_give_the_same_head_as_the_full_forward(int views)
    {
        var cached = TrainSmall(FreezeStrategy.FeatureExtraction, epochs: 3, seed: 4, augmentation: AugmentationOptions.EvalOnly(32, 32), configure: o =>
        {
            o.CacheFeatures = true;
            o.FeatureCacheViews = views;
        });
        var uncached = TrainSmall(FreezeStrategy.FeatureExtraction, epochs: 3, seed: 4, augmentation: AugmentationOptions.EvalOnly(32, 32), configure: o => o.CacheFeatures = false);
        Assert.True(cached.Result.UsedFeatureCache);
        Assert.False(uncached.Result.UsedFeatureCache);
        AssertSameWeights(cached.Weights, uncached.Weights, 1e-5f);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(uncached.Result.Epochs[i].ValidationLoss, cached.Result.Epochs[i].ValidationLoss, 4);
        }
    }

    [Fact]
    public void Live_tensors_do_not_grow_across_epochs()
    {
        var live = new List<long>();
        TrainSmall(FreezeStrategy.LastStages(2), epochs: 4, seed: 3, configure: o => o.MetricsCallback = _ => live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount));
        _output.WriteLine("live tensors after each epoch: " + string.Join(", ", live));
        Assert.Equal(live[1], live[3]);
    }

    [Theory]
    [InlineData(1L << 30)]
    [InlineData(0L)]
    public void The_image_cache_budget_decides_whether_files_are_read_again_each_epoch(long imageCacheBytes)
    {
        string dir = Directory.CreateTempSubdirectory("mlnettransfer-imagecache-").FullName;
        try
        {
            List<ImageSource> Write(string prefix, int count) => Enumerable.Range(0, count).Select(i =>
            {
                string path = Path.Combine(dir, $"{prefix}{i:D2}.png");
                TestImages.SavePng(path, TestImages.Rgb(kind: i % 4, size: 40, seed: i), 40);
                return ImageSource.FromFile(path);
            }).ToList();

            var train = Write("train", 16);
            var validation = Write("validation", 8);
            random.manual_seed(0);
            using var model = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
            var options = new FineTuneOptions
            {
                Strategy = FreezeStrategy.LastStages(1),
                Epochs = 2,
                BatchSize = 4,
                WorkerCount = 2,
                Augmentation = new AugmentationOptions { ResizeTo = 36, CropSize = 32 },
                ImageCacheBytes = imageCacheBytes,
                // After the first epoch every file is gone: only cached images can be trained on again.
                MetricsCallback = m =>
                {
                    if (m.Epoch == 1)
                    {
                        foreach (var file in Directory.GetFiles(dir))
                        {
                            File.Delete(file);
                        }
                    }
                },
            };
            FineTuneResult Run() => FineTuneTrainer.Train(model, FineTuneData.SingleLabel(train, Enumerable.Range(0, 16).Select(i => i % 2).ToArray(), 2),
                FineTuneData.SingleLabel(validation, Enumerable.Range(0, 8).Select(i => i % 2).ToArray(), 2), options);
            if (imageCacheBytes > 0)
            {
                Assert.Equal(2, Run().Epochs.Count);
            }
            else
            {
                var e = Assert.Throws<FileNotFoundException>(Run);
                _output.WriteLine(e.Message);
                Assert.Contains(dir, e.Message);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_negative_image_cache_is_refused_by_name()
    {
        var (images, labels) = SyntheticBlobs.Make(8, 32, seed: 1);
        using var model = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => FineTuneTrainer.Train(model, FineTuneData.SingleLabel(images, labels, 2), null,
            new FineTuneOptions { Epochs = 1, ImageCacheBytes = -1 }));
        Assert.Equal(nameof(FineTuneOptions.ImageCacheBytes), e.ParamName);
    }

    [Fact]
    public void Without_RestoreBestWeights_no_copy_of_the_best_weights_is_kept()
    {
        // Counted from the start of each run: the runs leave tensors for the garbage collector (the helper's weight
        // copies), so absolute counts grow from one run to the next.
        long LiveAfterFirstEpoch(bool restore)
        {
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            long live = -1;
            var run = TrainSmall(FreezeStrategy.LastStages(1), epochs: 1, seed: 3, configure: o =>
            {
                o.RestoreBestWeights = restore;
                o.MetricsCallback = _ => live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            });
            Assert.True(run.Result.Epochs[0].IsBest);
            return live - before;
        }

        using var probe = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
        int stateTensors = probe.state_dict().Count;
        long with = LiveAfterFirstEpoch(restore: true), without = LiveAfterFirstEpoch(restore: false);
        _output.WriteLine($"live tensors after a best epoch: {with} restoring, {without} not; state_dict has {stateTensors}");
        Assert.Equal(stateTensors, with - without);
    }

    [Fact]
    public void A_learning_rate_far_too_high_stops_training_with_a_clear_message()
    {
        // A learning rate far too high blows the weights up within a few steps: the logits explode, or the loss turns
        // NaN or infinite, whichever the step shows first.
        var (images, labels) = SyntheticBlobs.Make(64, 32, seed: 1);
        using var model = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
        var e = Assert.Throws<TrainingDivergedException>(() => FineTuneTrainer.Train(model, FineTuneData.SingleLabel(images, labels, 2), null,
            new FineTuneOptions { Strategy = FreezeStrategy.FromScratch, LearningRate = 1e30, WarmupEpochs = 0, Epochs = 2, BatchSize = 16, Augmentation = AugmentationOptions.EvalOnly(32, 32) }));
        _output.WriteLine(e.Message);
        Assert.Matches("NaN|Infinity|logit of magnitude", e.Message);
        Assert.Contains($"epoch {e.Epoch}, step {e.Step}", e.Message);
        Assert.Contains("learning rate", e.Message);
    }

    [Fact]
    public void One_class_only_and_strong_augmentation_are_refused_by_name()
    {
        var (images, _) = SyntheticBlobs.Make(8, 32, seed: 1);
        using var model = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
        var oneClass = Assert.Throws<InvalidOperationException>(() =>
            FineTuneTrainer.Train(model, FineTuneData.SingleLabel(images, new int[8], 2), null, new FineTuneOptions { Epochs = 1 }));
        Assert.Contains("only one class", oneClass.Message);

        var flips = Assert.ThrowsAny<ArgumentException>(() => FineTuneTrainer.Train(model, FineTuneData.SingleLabel(images, new[] { 0, 1, 0, 1, 0, 1, 0, 1 }, 2), null,
            new FineTuneOptions { Epochs = 1, Augmentation = new AugmentationOptions { VerticalFlipProbability = 0.5 } }));
        Assert.Contains("VerticalFlipProbability", flips.Message);
    }

    [Fact]
    public void Balanced_class_weights_raise_the_recall_of_the_rare_class()
    {
        var (trainImages, trainLabels) = SyntheticBlobs.Make(200, 32, seed: 21, positiveFraction: 0.12, blobContrast: 0.2, blobRadius: 0.08);
        var (valImages, valLabels) = SyntheticBlobs.Make(120, 32, seed: 22, positiveFraction: 0.5, blobContrast: 0.2, blobRadius: 0.08);
        double Recall(ClassWeighting weighting)
        {
            using var model = MLNetResNet18.Load(new PretrainedOptions { Grayscale = true });
            FineTuneTrainer.Train(model, FineTuneData.SingleLabel(trainImages, trainLabels, 2), FineTuneData.SingleLabel(valImages, valLabels, 2), new FineTuneOptions
            {
                Strategy = FreezeStrategy.FeatureExtraction,
                ClassWeighting = weighting,
                Epochs = 4,
                BatchSize = 16,
                Augmentation = AugmentationOptions.EvalOnly(32, 32),
                RestoreBestWeights = false,
            });
            var predictions = Predict(model, valImages);
            int truePositives = valLabels.Where((l, i) => l == 1 && predictions[i] == 1).Count();
            return truePositives / (double)valLabels.Count(l => l == 1);
        }

        double plain = Recall(ClassWeighting.None);
        double balanced = Recall(ClassWeighting.Balanced);
        _output.WriteLine($"recall of the rare class: unweighted {plain:P1}, balanced {balanced:P1}");
        Assert.True(balanced > plain + 0.1, $"balanced recall {balanced:P1} is not clearly above unweighted {plain:P1}");
    }

    [Fact]
    public void Multi_label_training_masks_missing_targets_and_reports_undefined_aucs()
    {
        var (images, blobLabels) = SyntheticBlobs.Make(96, 32, seed: 31);
        var targets = new List<float[]>();
        for (int i = 0; i < images.Count; i++)
        {
            // label 0: the blob; label 1: uncertain (-1) or missing for half the images; label 2: always 0 (one class only).
            targets.Add(new[] { blobLabels[i], i % 2 == 0 ? float.NaN : (i % 3 == 0 ? -1f : blobLabels[i]), 0f });
        }

        using var model = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
        var data = FineTuneData.MultiLabel(images, targets);
        var result = FineTuneTrainer.Train(model, data, data, new FineTuneOptions
        {
            Strategy = FreezeStrategy.LastStages(1),
            Epochs = 2,
            BatchSize = 16,
            Augmentation = AugmentationOptions.EvalOnly(32, 32),
        });
        var last = result.Epochs[^1];
        Assert.True(double.IsFinite(last.TrainLoss));
        Assert.Equal(3, last.PerClassAuc.Count);
        Assert.True(double.IsNaN(last.PerClassAuc[2]));
        Assert.Equal(1, last.UndefinedAucCount);
        Assert.False(double.IsNaN(last.ValidationAuc));
    }

    private sealed record SmallRun(FineTuneResult Result, Dictionary<string, float[]> Weights);

    private static SmallRun TrainSmall(FreezeStrategy strategy, int epochs, int seed, AugmentationOptions? augmentation = null, Action<FineTuneOptions>? configure = null)
    {
        var (trainImages, trainLabels) = SyntheticBlobs.Make(48, 32, seed: 100);
        var (valImages, valLabels) = SyntheticBlobs.Make(24, 32, seed: 101);
        random.manual_seed(0);
        using var model = new ResNet(ResNetLayout.ResNet18, inChannels: 1); // the same random start every time
        var options = new FineTuneOptions
        {
            Strategy = strategy,
            Epochs = epochs,
            BatchSize = 16,
            Seed = seed,
            WorkerCount = 2,
            Augmentation = augmentation ?? new AugmentationOptions { ResizeTo = 36, CropSize = 32 },
        };
        configure?.Invoke(options);
        var result = FineTuneTrainer.Train(model, FineTuneData.SingleLabel(trainImages, trainLabels, 2), FineTuneData.SingleLabel(valImages, valLabels, 2), options);
        var weights = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.Float32).data<float>().ToArray());
        return new SmallRun(result, weights);
    }

    private static int[] Predict(ResNet model, IReadOnlyList<ImageSource> images)
    {
        model.eval();
        using var loader = new BatchLoader(images, new BatchLoaderOptions { BatchSize = 32, Channels = 1, Augmentation = AugmentationOptions.EvalOnly(32, 32) });
        var predictions = new int[images.Count];
        using var _ = no_grad();
        foreach (var batch in loader.GetBatches(Enumerable.Range(0, images.Count).ToArray(), 0, train: false))
        {
            using var scope = NewDisposeScope();
            var norm = model.Normalization;
            var x = (tensor(batch.Data, batch.Shape) - norm.Mean[0]) / norm.Std[0];
            var argmax = model.call(x).argmax(1).data<long>().ToArray();
            for (int i = 0; i < argmax.Length; i++)
            {
                predictions[batch.Indices[i]] = (int)argmax[i];
            }
        }

        return predictions;
    }

    private static float MaxDifference(Dictionary<string, float[]> a, Dictionary<string, float[]> b) =>
        a.Keys.Max(k => a[k].Zip(b[k], (x, y) => MathF.Abs(x - y)).DefaultIfEmpty(0).Max());

    private static void AssertSameWeights(Dictionary<string, float[]> a, Dictionary<string, float[]> b, float tolerance)
    {
        Assert.Equal(a.Keys.OrderBy(k => k), b.Keys.OrderBy(k => k));
        foreach (var key in a.Keys)
        {
            float diff = a[key].Zip(b[key], (x, y) => MathF.Abs(x - y)).DefaultIfEmpty(0).Max();
            Assert.True(diff <= tolerance, $"{key} differs by {diff}");
        }
    }
}
