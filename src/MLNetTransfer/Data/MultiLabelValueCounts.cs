using System.Collections.Generic;
using MLNetTransfer.Data;

namespace MLNetTransfer;

/// <summary>
/// How one multi-label column's values split over the images of a split: CheXpert's 1 (positive), 0 (negative), -1
/// (uncertain) and blank (missing), as <see cref="ImageSplitCounts.LabelValues"/> reports them.
/// </summary>
/// <param name="Positive">The images whose value is 1.</param>
/// <param name="Negative">The images whose value is 0.</param>
/// <param name="Uncertain">The images whose value is -1 (uncertain).</param>
/// <param name="Missing">The images whose cell is blank (NaN in the label vector).</param>
public readonly record struct MultiLabelValueCounts(int Positive, int Negative, int Uncertain, int Missing)
{
    /// <summary>Counts the values of label <paramref name="index"/> in <paramref name="records"/>.</summary>
    internal static MultiLabelValueCounts Of(IReadOnlyList<ImageRecord> records, int index)
    {
        int positive = 0, negative = 0, uncertain = 0, missing = 0;
        foreach (var record in records)
        {
            float value = record.Labels![index];
            if (float.IsNaN(value))
            {
                missing++;
            }
            else if (value == 1)
            {
                positive++;
            }
            else if (value == 0)
            {
                negative++;
            }
            else
            {
                uncertain++;
            }
        }

        return new MultiLabelValueCounts(positive, negative, uncertain, missing);
    }

    /// <summary>The counts as "1: 3, 0: 5, -1: 1, blank: 0", for messages.</summary>
    /// <returns>The four counts, each after the value it counts.</returns>
    public override string ToString() => $"1: {Positive}, 0: {Negative}, -1: {Uncertain}, blank: {Missing}";
}
