using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MLNetTransfer.Torch.Losses;

/// <summary>Checks on single-label targets that turn a data mistake into a clear error before any training.</summary>
internal static class LabelChecks
{
    /// <summary>
    /// Throws unless <paramref name="labels"/> hold at least two different classes: a classifier cannot learn from
    /// one class, and its validation AUC would be undefined.
    /// </summary>
    /// <param name="labels">The labels, each in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">The number of classes the model has.</param>
    /// <param name="context">What the labels are, for the message, e.g. "The training set".</param>
    /// <param name="classNames">Optional class names (index order) to show next to the indices.</param>
    /// <exception cref="InvalidOperationException">Fewer than two classes are present; the message says which one is.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is under 2, or a label is outside [0, classes).</exception>
    public static void RequireAtLeastTwoClasses(ReadOnlySpan<int> labels, int classes, string context, IReadOnlyList<string>? classNames = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentException.ThrowIfNullOrWhiteSpace(context);
        long[] counts = CountClasses(labels, classes, nameof(labels));
        int[] present = Enumerable.Range(0, classes).Where(c => counts[c] > 0).ToArray();
        if (present.Length >= 2)
        {
            return;
        }

        string expected = classNames is { Count: > 0 } && classNames.Count == classes
            ? string.Join(", ", classNames.Select((name, c) => $"{c} '{name}'"))
            : $"0..{classes - 1}";
        string message = present.Length == 0
            ? $"{context} has no labelled examples; a classifier needs examples of at least two of its {classes} classes ({expected})."
            : $"{context} has only one class: all {labels.Length} examples are class {Describe(present[0], classNames, classes)}. " +
              $"A classifier needs examples of at least two of its {classes} classes ({expected}); add examples of the others, " +
              "or check that the label column is the right one.";
        throw new InvalidOperationException(message);
    }

    /// <summary>How many labels fall in each class; throws for a label outside [0, classes).</summary>
    internal static long[] CountClasses(ReadOnlySpan<int> labels, int classes, string paramName)
    {
        var counts = new long[classes];
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(paramName, label, $"Label at index {i} is {label}; labels must be in [0, {classes}).");
            }

            counts[label]++;
        }

        return counts;
    }

    private static string Describe(int c, IReadOnlyList<string>? classNames, int classes) =>
        classNames is { Count: > 0 } && classNames.Count == classes ? $"{c} '{classNames[c]}'" : c.ToString(CultureInfo.InvariantCulture);
}
