namespace MLNetTransfer.Torch.Metrics;

/// <summary>One label's 2×2 confusion over its known targets (<see cref="Accuracy.MultiLabelCounts"/>).</summary>
/// <param name="TrueNegatives">Known negative, predicted negative.</param>
/// <param name="FalsePositives">Known negative, predicted positive.</param>
/// <param name="FalseNegatives">Known positive, predicted negative.</param>
/// <param name="TruePositives">Known positive, predicted positive.</param>
internal readonly record struct LabelCounts(int TrueNegatives, int FalsePositives, int FalseNegatives, int TruePositives)
{
    /// <summary>The targets counted: those that are 1 or 0.</summary>
    public int Known => TrueNegatives + FalsePositives + FalseNegatives + TruePositives;

    /// <summary>The share of known targets predicted right; NaN when none is known.</summary>
    public double Accuracy => Known == 0 ? double.NaN : (double)(TrueNegatives + TruePositives) / Known;
}
