using System;
using System.Collections.Generic;
using System.Linq;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// Images with their labels: one class index each (binary or multiclass), or a target vector each (multi-label:
/// 1 present, 0 absent, -1 uncertain as in CheXpert, NaN missing).
/// </summary>
internal sealed class FineTuneData
{
    private FineTuneData(IReadOnlyList<ImageSource> images, TaskKind task, int outputs, int[]? labels, float[]? targets)
    {
        Images = images;
        Task = task;
        Outputs = outputs;
        Labels = labels;
        Targets = targets;
    }

    /// <summary>The images.</summary>
    public IReadOnlyList<ImageSource> Images { get; }

    /// <summary>Binary (two classes), multiclass or multi-label.</summary>
    public TaskKind Task { get; }

    /// <summary>Network outputs: the number of classes (2 for binary) or of labels.</summary>
    public int Outputs { get; }

    /// <summary>Class index per image (single-label tasks).</summary>
    public int[]? Labels { get; }

    /// <summary>Targets, <c>[Count, Outputs]</c> row-major (multi-label).</summary>
    public float[]? Targets { get; }

    /// <summary>The number of images.</summary>
    public int Count => Images.Count;

    /// <summary>Single-label data: <paramref name="labels"/>[i] in 0 .. <paramref name="classes"/> - 1 is the class of image i.</summary>
    /// <exception cref="ArgumentException">Counts differ, or a label is out of range (named with its image).</exception>
    public static FineTuneData SingleLabel(IReadOnlyList<ImageSource> images, IReadOnlyList<int> labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (classes < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classifier needs at least two classes.");
        }

        if (images.Count != labels.Count)
        {
            throw new ArgumentException($"{images.Count} images but {labels.Count} labels.", nameof(labels));
        }

        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] < 0 || labels[i] >= classes)
            {
                throw new ArgumentException($"The label of '{images[i].DisplayName}' is {labels[i]}, outside 0..{classes - 1}.", nameof(labels));
            }
        }

        return new FineTuneData(images, classes == 2 ? TaskKind.Binary : TaskKind.Multiclass, classes, labels.ToArray(), null);
    }

    /// <summary>Multi-label data: <paramref name="targets"/>[i] holds one value per label for image i.</summary>
    /// <exception cref="ArgumentException">Counts differ, or a value is not 1, 0, -1 or NaN (named with its image and label).</exception>
    public static FineTuneData MultiLabel(IReadOnlyList<ImageSource> images, IReadOnlyList<float[]> targets)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(targets);
        if (images.Count != targets.Count || targets.Count == 0)
        {
            throw new ArgumentException($"{images.Count} images but {targets.Count} target rows.", nameof(targets));
        }

        int labels = targets[0].Length;
        if (labels < 1)
        {
            throw new ArgumentException("Multi-label targets need at least one label.", nameof(targets));
        }

        var flat = new float[images.Count * labels];
        for (int i = 0; i < targets.Count; i++)
        {
            if (targets[i].Length != labels)
            {
                throw new ArgumentException($"'{images[i].DisplayName}' has {targets[i].Length} targets, the first image {labels}.", nameof(targets));
            }

            for (int j = 0; j < labels; j++)
            {
                float v = targets[i][j];
                if (!(float.IsNaN(v) || v is 0f or 1f or -1f))
                {
                    throw new ArgumentException($"Target {j} of '{images[i].DisplayName}' is {v}; use 1, 0, -1 (uncertain) or NaN (missing).", nameof(targets));
                }

                flat[i * labels + j] = v;
            }
        }

        return new FineTuneData(images, TaskKind.MultiLabel, labels, null, flat);
    }
}
