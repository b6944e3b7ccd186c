using System;
using System.Collections.Generic;
using MLNetTransfer.Torch.Data;

namespace MLNetTransfer.Data;

/// <summary>
/// The rows of an IDataView read for training: one image source per row, its label (a 0-based class index, or a
/// multi-label target vector) and its group (patient) id. Row order is the data view's.
/// </summary>
internal sealed class LabeledImageRows
{
    public LabeledImageRows(List<ImageSource> images, List<int>? classes, List<float[]>? targets, List<string?> groups)
    {
        Images = images;
        Classes = classes;
        Targets = targets;
        Groups = groups;
    }

    public List<ImageSource> Images { get; }

    /// <summary>0-based class index per row (single-label tasks).</summary>
    public List<int>? Classes { get; }

    /// <summary>Target vector per row (multi-label tasks).</summary>
    public List<float[]>? Targets { get; }

    /// <summary>Group id per row, or null per row without a group column.</summary>
    public List<string?> Groups { get; }

    public int Count => Images.Count;

    /// <summary>The rows at <paramref name="indices"/>, in that order.</summary>
    public LabeledImageRows Subset(IReadOnlyList<int> indices)
    {
        var images = new List<ImageSource>(indices.Count);
        var classes = Classes is null ? null : new List<int>(indices.Count);
        var targets = Targets is null ? null : new List<float[]>(indices.Count);
        var groups = new List<string?>(indices.Count);
        foreach (int i in indices)
        {
            images.Add(Images[i]);
            classes?.Add(Classes![i]);
            targets?.Add(Targets![i]);
            groups.Add(Groups[i]);
        }

        return new LabeledImageRows(images, classes, targets, groups);
    }
}
