using System.Collections.Generic;

namespace MLNetTransfer.Cli.Scoring;

/// <summary>The model's outputs for a list of images, row by row, as <c>predict</c> prints them.</summary>
internal sealed class ScoredSet
{
    /// <summary>The image files, in row order.</summary>
    public required IReadOnlyList<string> Files { get; init; }

    /// <summary>Row × class probabilities (softmax), or row × label probabilities (sigmoid) for multi-label models.</summary>
    public required float[][] Scores { get; init; }

    /// <summary>The model's predicted class index per row (its PredictedLabel); null for multi-label models.</summary>
    public int[]? Predicted { get; init; }
}
