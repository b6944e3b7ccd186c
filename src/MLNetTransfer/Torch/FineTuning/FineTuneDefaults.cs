namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// The one set of fine-tuning defaults: <see cref="ResNetFineTuneTrainer.Options"/> (which documents each), the simple
/// <c>FineTuneResNet</c> overload and the engine's own options all start from these constants, so they cannot drift.
/// </summary>
internal static class FineTuneDefaults
{
    public const int Epochs = 10;
    public const double WarmupEpochs = 1;
    public const int BatchSize = 32;
    public const double LearningRate = 1e-3;
    public const double BackboneLearningRateRatio = 0.1;
    public const double WeightDecay = 1e-4;
    public const double MaxGradientNorm = 1.0;
    public const bool RestoreBestWeights = true;
    public const long ImageCacheBytes = 1L << 30;
    public const bool ReuseNativeMemory = true;
    public const int FeatureCacheViews = 4;
    public const int Seed = 1;

    // Used above the engine (the engine is handed its data already split), kept here with the others.
    public const double ValidationFraction = 0.2;
}
