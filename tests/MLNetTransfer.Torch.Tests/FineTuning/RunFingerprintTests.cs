using System;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Modules;
using Xunit;

namespace MLNetTransfer.Torch.Tests.FineTuning;

/// <summary>The settings a resume must share: each one changes the fingerprint.</summary>
[Collection("NoParallelization")]
public sealed class RunFingerprintTests
{
    [Fact]
    public void Settings_that_shape_the_weights_change_it_and_others_do_not()
    {
        using var model = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
        var (images, labels) = SyntheticBlobs.Make(8, 16, seed: 1);
        var train = FineTuneData.SingleLabel(images, labels, 2);
        string Of(FineTuneOptions options, FineTuneData? validation = null) =>
            RunFingerprint.Of(model, train, validation, options, FreezeStrategy.LastStages(1));

        string baseline = Of(new FineTuneOptions());
        Assert.Equal(baseline, Of(new FineTuneOptions()));
        Assert.Equal(baseline, Of(new FineTuneOptions { WorkerCount = 3, Log = _ => { }, RestoreBestWeights = false })); // they do not change the weights
        Assert.NotEqual(baseline, Of(new FineTuneOptions { Epochs = 11 }));
        Assert.NotEqual(baseline, Of(new FineTuneOptions { Seed = 2 }));
        Assert.NotEqual(baseline, Of(new FineTuneOptions { LearningRate = 2e-3 }));
        Assert.NotEqual(baseline, Of(new FineTuneOptions { ClassWeights = new[] { 1f, 2f } }));
        Assert.NotEqual(baseline, Of(new FineTuneOptions { Augmentation = new AugmentationOptions { HorizontalFlipProbability = 0.25 } }));
        Assert.NotEqual(baseline, Of(new FineTuneOptions(), validation: train));
    }
}
