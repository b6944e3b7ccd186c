using System.Collections.Generic;

namespace MLNetTransfer;

/// <summary>
/// The 2×2 confusion of each label of a multi-label model at a decision threshold, over that label's known targets,
/// and the accuracy they give. ML.NET's confusion matrices are for single-label models only.
/// </summary>
/// <remarks>
/// A label is predicted positive when its probability is strictly above <see cref="Threshold"/>. Targets that are
/// missing (NaN), or uncertain (-1) under <see cref="UncertaintyPolicy.Ignore"/>, are not counted.
/// </remarks>
public sealed class MultiLabelConfusionMetrics
{
    internal MultiLabelConfusionMetrics(IReadOnlyList<string> labelNames, float threshold, IReadOnlyList<int> trueNegatives, IReadOnlyList<int> falsePositives,
        IReadOnlyList<int> falseNegatives, IReadOnlyList<int> truePositives, IReadOnlyList<double> perLabelAccuracy, double accuracy, int rows)
    {
        LabelNames = labelNames;
        Threshold = threshold;
        TrueNegatives = trueNegatives;
        FalsePositives = falsePositives;
        FalseNegatives = falseNegatives;
        TruePositives = truePositives;
        PerLabelAccuracy = perLabelAccuracy;
        Accuracy = accuracy;
        Rows = rows;
    }

    /// <summary>Label names, in score order.</summary>
    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>The probability a label's score must be above to count as predicted.</summary>
    public float Threshold { get; }

    /// <summary>Per label: known negative, predicted negative.</summary>
    public IReadOnlyList<int> TrueNegatives { get; }

    /// <summary>Per label: known negative, predicted positive.</summary>
    public IReadOnlyList<int> FalsePositives { get; }

    /// <summary>Per label: known positive, predicted negative.</summary>
    public IReadOnlyList<int> FalseNegatives { get; }

    /// <summary>Per label: known positive, predicted positive.</summary>
    public IReadOnlyList<int> TruePositives { get; }

    /// <summary>Per label: the share of its known targets predicted right; NaN where none is known.</summary>
    public IReadOnlyList<double> PerLabelAccuracy { get; }

    /// <summary>
    /// The mean of <see cref="PerLabelAccuracy"/> over the labels with a known target (NaN when none has one): the value
    /// <see cref="EvaluationCatalog.EvaluateMultiLabelAccuracy"/> returns for the same data and settings.
    /// </summary>
    public double Accuracy { get; }

    /// <summary>Rows evaluated.</summary>
    public int Rows { get; }
}
