using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using MLNetTransfer.Data;

namespace MLNetTransfer;

/// <summary>
/// How many images one split of <see cref="ImageDataSplits"/> holds, per class or, for multi-label data, per label and
/// value: what a person checks before training (a class missing from validation, a label without positives).
/// </summary>
public sealed class ImageSplitCounts
{
    private ImageSplitCounts(int images, IReadOnlyDictionary<string, int> imagesPerClass, IReadOnlyDictionary<string, MultiLabelValueCounts> labelValues)
    {
        Images = images;
        ImagesPerClass = imagesPerClass;
        LabelValues = labelValues;
    }

    /// <summary>The images in the split.</summary>
    public int Images { get; }

    /// <summary>
    /// Single-label data: the images of each class, for every class of <see cref="ImageDataSplits.ClassNames"/> (0 when
    /// the split lacks it) and every class the split holds, in ordinal order. Empty for multi-label data.
    /// </summary>
    public IReadOnlyDictionary<string, int> ImagesPerClass { get; }

    /// <summary>
    /// Multi-label data: how each label column's values (1, 0, -1, blank) split over the images, for every label of
    /// <see cref="ImageDataSplits.ClassNames"/>, in that order. Empty for single-label data.
    /// </summary>
    public IReadOnlyDictionary<string, MultiLabelValueCounts> LabelValues { get; }

    /// <summary>Counts <paramref name="records"/>.</summary>
    /// <param name="records">One split's images.</param>
    /// <param name="classNames">The data set's classes, or its label columns in the order of each record's label vector.</param>
    /// <param name="multiLabel">Whether the records carry label vectors rather than classes.</param>
    internal static ImageSplitCounts Of(IReadOnlyList<ImageRecord> records, IReadOnlyList<string> classNames, bool multiLabel)
    {
        if (multiLabel)
        {
            var values = new InsertionOrderedDictionary<string, MultiLabelValueCounts>(StringComparer.Ordinal);
            for (int k = 0; k < classNames.Count; k++)
            {
                values.Add(classNames[k], MultiLabelValueCounts.Of(records, k));
            }

            return new ImageSplitCounts(records.Count, Empty<int>(), values);
        }

        var perClass = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (string name in classNames)
        {
            perClass[name] = 0;
        }

        foreach (var record in records)
        {
            perClass[record.Label!] = perClass.GetValueOrDefault(record.Label!) + 1;
        }

        return new ImageSplitCounts(records.Count, new ReadOnlyDictionary<string, int>(perClass), Empty<MultiLabelValueCounts>());
    }

    private static ReadOnlyDictionary<string, T> Empty<T>() => new(new Dictionary<string, T>(StringComparer.Ordinal));
}
