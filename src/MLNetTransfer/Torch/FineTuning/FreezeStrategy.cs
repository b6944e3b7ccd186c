using System;
using System.Globalization;

namespace MLNetTransfer;

/// <summary>The kinds of <see cref="FreezeStrategy"/>.</summary>
public enum FreezeStrategyKind
{
    /// <summary>Backbone frozen; a new MLP head (Linear 256 → ReLU → Dropout 0.5 → Linear) trains alone.</summary>
    FeatureExtraction,

    /// <summary>The last N of layer1..layer4 train with the head; the rest is frozen.</summary>
    LastStages,

    /// <summary>Everything trains, each stage at its own (discriminative) learning rate.</summary>
    Full,

    /// <summary>Random initialisation, everything trains at one rate: the baseline to compare pretrained runs with.</summary>
    FromScratch,

    /// <summary>Chosen from the data set size and domain similarity (the decision table in README.md, "Choosing a strategy").</summary>
    Auto,
}

/// <summary>
/// Which parts of a pretrained ResNet train, and how fast. Create with <see cref="FeatureExtraction"/>,
/// <see cref="LastStages"/>, <see cref="Full"/>, <see cref="FromScratch"/> or <see cref="Auto"/>.
/// </summary>
public sealed class FreezeStrategy
{
    private FreezeStrategy(FreezeStrategyKind kind, int trainableStages, StageLearningRates? rates, double? backboneRatio, DomainSimilarity similarity)
    {
        Kind = kind;
        TrainableStages = trainableStages;
        StageRates = rates;
        BackboneLearningRateRatio = backboneRatio;
        Similarity = similarity;
    }

    /// <summary>Frozen backbone, new MLP head. Right for small data sets (under ~1K images).</summary>
    public static FreezeStrategy FeatureExtraction { get; } = new(FreezeStrategyKind.FeatureExtraction, 0, null, null, DomainSimilarity.Different);

    /// <summary>Random weights, everything trains: a baseline.</summary>
    public static FreezeStrategy FromScratch { get; } = new(FreezeStrategyKind.FromScratch, 4, null, null, DomainSimilarity.Different);

    /// <summary>The kind.</summary>
    public FreezeStrategyKind Kind { get; }

    /// <summary>How many of layer1..layer4 train, counted from layer4 (0 for feature extraction, 4 for full).</summary>
    public int TrainableStages { get; }

    /// <summary>Per-stage learning rates given to <see cref="Full"/>; null when the default ladder (scaled to the trainer's learning rate) applies, and for other kinds.</summary>
    public StageLearningRates? StageRates { get; }

    /// <summary>
    /// For <see cref="LastStages"/>: the backbone's learning rate as a fraction of the head's; null means the trainer's
    /// option (default 0.1).
    /// </summary>
    public double? BackboneLearningRateRatio { get; }

    /// <summary>For <see cref="Auto"/>: the stated domain similarity.</summary>
    public DomainSimilarity Similarity { get; }

    /// <summary>The last <paramref name="stages"/> (1–4) stages and a Linear head train.</summary>
    /// <param name="stages">1 = layer4, 2 = layer3 and layer4, … 4 = all four stages (the stem stays frozen).</param>
    /// <param name="backboneLearningRateRatio">Backbone rate / head rate; null = the trainer's option.</param>
    public static FreezeStrategy LastStages(int stages, double? backboneLearningRateRatio = null)
    {
        if (stages is < 1 or > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(stages), stages, "LastStages takes 1 to 4 (layer4 … layer1).");
        }

        if (backboneLearningRateRatio is { } r && !(r > 0 && r <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(backboneLearningRateRatio), r, "The backbone's rate is a fraction (0, 1] of the head's.");
        }

        return new FreezeStrategy(FreezeStrategyKind.LastStages, stages, null, backboneLearningRateRatio, DomainSimilarity.Different);
    }

    /// <summary>
    /// Everything trains with discriminative learning rates: <paramref name="rates"/>, or by default the trainer's
    /// learning rate for the head, a tenth of it for layer3–4 and a hundredth for layer1–2 and the stem
    /// (<see cref="StageLearningRates.ScaledTo"/>; with the default 1e-3: 1e-3, 1e-4, 1e-5).
    /// </summary>
    public static FreezeStrategy Full(StageLearningRates? rates = null)
    {
        rates?.Validate();
        return new FreezeStrategy(FreezeStrategyKind.Full, 4, rates, null, DomainSimilarity.Different);
    }

    /// <summary>Chosen from the training set size and <paramref name="similarity"/> by the decision table in README.md, "Choosing a strategy".</summary>
    public static FreezeStrategy Auto(DomainSimilarity similarity = DomainSimilarity.Different) =>
        new(FreezeStrategyKind.Auto, 0, null, null, similarity);

    /// <summary>
    /// Parses the command-line spelling: <c>auto</c>, <c>auto:similar</c>, <c>feature-extraction</c>,
    /// <c>last-stages:N</c>, <c>full</c>, <c>scratch</c>.
    /// </summary>
    public static FreezeStrategy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        if (t.StartsWith("last-stages:", StringComparison.Ordinal)
            && int.TryParse(t["last-stages:".Length..], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n))
        {
            return LastStages(n);
        }

        return t switch
        {
            "auto" or "auto:different" => Auto(DomainSimilarity.Different),
            "auto:similar" => Auto(DomainSimilarity.Similar),
            "feature-extraction" => FeatureExtraction,
            "full" => Full(),
            "scratch" => FromScratch,
            _ => throw new FormatException($"Unknown strategy '{text}'. Use auto, auto:similar, feature-extraction, last-stages:N (N = 1..4), full or scratch."),
        };
    }

    /// <summary>The command-line spelling (see <see cref="Parse"/>).</summary>
    public override string ToString() => Kind switch
    {
        FreezeStrategyKind.FeatureExtraction => "feature-extraction",
        FreezeStrategyKind.LastStages => $"last-stages:{TrainableStages}",
        FreezeStrategyKind.Full => "full",
        FreezeStrategyKind.FromScratch => "scratch",
        _ => Similarity == DomainSimilarity.Similar ? "auto:similar" : "auto",
    };
}
