using System;

namespace MLNetTransfer.Scoring;

/// <summary>One image's prediction from a <see cref="BatchScorer"/>: the same values as the fitted transformer's columns.</summary>
public sealed class ScoredImage
{
    internal ScoredImage(float[] score, int? predictedIndex, string? predictedLabel, float? probability, float? logit)
    {
        Score = score;
        PredictedIndex = predictedIndex;
        PredictedLabel = predictedLabel;
        Probability = probability;
        Logit = logit;
    }

    /// <summary>Class probabilities (softmax; single-label) or per-label probabilities (sigmoid; multi-label), in
    /// <see cref="BatchScorer.ClassNames"/> order: the <c>Score</c> column.</summary>
    public float[] Score { get; }

    /// <summary>The predicted class (binary: the decision threshold applied); null for multi-label models.</summary>
    public int? PredictedIndex { get; }

    /// <summary>The predicted class's name, when the model names its classes; null for multi-label models.</summary>
    public string? PredictedLabel { get; }

    /// <summary>Binary models: the positive class's probability (the <c>Probability</c> column); otherwise null.</summary>
    public float? Probability { get; }

    /// <summary>Binary models: the log-odds shifted by the decision threshold (the <c>Logit</c> column); otherwise null.</summary>
    public float? Logit { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{PredictedLabel ?? PredictedIndex?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "multi-label"} [{string.Join(", ", Array.ConvertAll(Score, s => s.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)))}]";
}
