using System;
using System.Globalization;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Modules;
using Xunit;

namespace MLNetTransfer.Torch.Tests.FineTuning;

/// <summary>The settings a resume must share: each one changes the fingerprint, the culture does not.</summary>
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

    [Fact]
    public void A_checkpoint_written_under_one_culture_resumes_under_another()
    {
        using var model = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
        var (images, labels) = SyntheticBlobs.Make(8, 16, seed: 1);
        var train = FineTuneData.SingleLabel(images, labels, 2);
        var options = new FineTuneOptions { LearningRate = 1.5e-3, Augmentation = new AugmentationOptions { HorizontalFlipProbability = 0.25 } };
        var strategy = FreezeStrategy.Full();
        string Under(string culture)
        {
            var before = CultureInfo.CurrentCulture;
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
            try
            {
                return RunFingerprint.Of(model, train, null, options, strategy);
            }
            finally
            {
                CultureInfo.CurrentCulture = before;
            }
        }

        string english = Under("en-US");
        Assert.Equal(english, Under("de-DE")); // German writes 0,25 and 1,5E-03 where the invariant culture writes 0.25
        Assert.Contains("h-flip 0.25", english);
        Assert.Contains("lr 0.0015", english);
    }
}
