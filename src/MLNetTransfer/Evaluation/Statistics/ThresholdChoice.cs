namespace MLNetTransfer.Evaluation;

/// <summary>The operating threshold <see cref="ThresholdSelection.Choose"/> picked, and the confusion it gives on the rows it was chosen on.</summary>
/// <param name="Threshold">Rows with probability ≥ this are called positive; NaN when the method needs a class that is absent.</param>
/// <param name="TruePositives">Positive rows called positive.</param>
/// <param name="FalsePositives">Negative rows called positive.</param>
/// <param name="TrueNegatives">Negative rows called negative.</param>
/// <param name="FalseNegatives">Positive rows called negative.</param>
/// <param name="TargetReached">False when a target method could not reach its target (see <see cref="MLNetTransfer.ThresholdMethod.TargetSpecificity"/>).</param>
/// <param name="Note">Why the threshold is NaN or the target was not reached; null otherwise.</param>
internal readonly record struct ThresholdChoice(float Threshold, int TruePositives, int FalsePositives, int TrueNegatives, int FalseNegatives,
    bool TargetReached, string? Note)
{
    /// <summary>TP / (TP + FN); NaN without positive rows.</summary>
    public double Sensitivity => TruePositives / (double)(TruePositives + FalseNegatives);

    /// <summary>TN / (TN + FP); NaN without negative rows.</summary>
    public double Specificity => TrueNegatives / (double)(TrueNegatives + FalsePositives);
}
