using System;
using System.Globalization;
using System.Linq;
using MLNetTransfer.Torch.Modules;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// The settings a resumed run must share with the run that wrote its checkpoint, as one readable line. A checkpoint
/// records it, and resuming with another refuses with both lines in the message instead of mixing two runs
/// (docs/design.md, "Checkpoints and resume").
/// </summary>
internal static class RunFingerprint
{
    /// <summary>The fingerprint of a run of <paramref name="strategy"/> (Auto already resolved) on this model and data.</summary>
    /// <remarks>
    /// Composed in the invariant culture, nested <c>ToString</c>s (augmentation, stage rates) included, so that a run
    /// resumes under another culture than the one that wrote the checkpoint.
    /// </remarks>
    public static string Of(ResNet model, FineTuneData train, FineTuneData? validation, FineTuneOptions options, FreezeStrategy strategy)
    {
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            return string.Join("; ",
                $"strategy {strategy}", $"layout {model.Layout.Name}", $"channels {model.InChannels}", $"task {train.Task}",
                $"outputs {train.Outputs}", $"train {train.Count}", $"validation {validation?.Count ?? 0}", $"epochs {options.Epochs}",
                $"batch {options.BatchSize}", $"seed {options.Seed}", $"lr {options.LearningRate:R}",
                $"warmup {options.WarmupEpochs:R}", $"head-only {options.HeadOnlyEpochs}",
                $"gradual {options.GradualUnfreezing}", $"bn {options.BatchNormMode}",
                $"backbone ratio {strategy.BackboneLearningRateRatio ?? options.BackboneLearningRateRatio:R}",
                $"stage rates {strategy.StageRates}",
                $"weight decay {options.WeightDecay:R}, smoothing {options.LabelSmoothing:R}, clip {options.MaxGradientNorm:R}",
                $"class weighting {options.ClassWeighting} [{Join(options.ClassWeights)}]",
                $"positive weights [{Join(options.PositiveWeights)}], uncertainty {options.Uncertainty}",
                $"augmentation {options.Augmentation}",
                $"feature cache {options.CacheFeatures?.ToString() ?? "auto"}, views {options.FeatureCacheViews}",
                $"test-time flip {options.TestTimeFlip}");
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    private static string Join(float[]? values) => string.Join(" ", (values ?? Array.Empty<float>()).Select(w => w.ToString("R", CultureInfo.InvariantCulture)));
}
