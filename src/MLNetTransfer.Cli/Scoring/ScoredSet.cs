using System.Collections.Generic;

namespace MLNetTransfer.Cli.Scoring;

/// <summary>The model's outputs for a list of images, row by row, with the truth where it is known.</summary>
internal sealed class ScoredSet
{
    /// <summary>The image files, in row order.</summary>
    public required IReadOnlyList<string> Files { get; init; }

    /// <summary>Row × class probabilities (softmax), or row × label probabilities (sigmoid) for multi-label models.</summary>
    public required float[][] Scores { get; init; }

    /// <summary>Single-label truth as a class index; -1 where unknown. Null for multi-label models.</summary>
    public int[]? Labels { get; init; }

    /// <summary>Multi-label truth: 1, 0, -1 (uncertain) or NaN (missing). Null for single-label models.</summary>
    public float[][]? Targets { get; init; }

    /// <summary>The model's predicted class index per row (its PredictedLabel); null for multi-label models.</summary>
    public int[]? Predicted { get; init; }
}
