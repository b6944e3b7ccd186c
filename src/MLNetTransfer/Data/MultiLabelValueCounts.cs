using System.Collections.Generic;

namespace MLNetTransfer.Data;

/// <summary>How one multi-label column's values split over a set of records.</summary>
internal readonly record struct MultiLabelValueCounts(int Positive, int Negative, int Uncertain, int Missing)
{
    /// <summary>Counts the values of label <paramref name="index"/> in <paramref name="records"/>.</summary>
    public static MultiLabelValueCounts Of(IReadOnlyList<ImageRecord> records, int index)
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

    /// <inheritdoc/>
    public override string ToString() => $"1: {Positive}, 0: {Negative}, -1: {Uncertain}, blank: {Missing}";
}
