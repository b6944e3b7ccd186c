using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MLNetTransfer.Data;

/// <summary>Checks on the labels of the splits that turn a data mistake into a clear message before any training.</summary>
internal static class ClassChecks
{
    /// <summary>
    /// The training split's classes, ordinal-sorted: the order ML.NET's keys take with <c>KeyOrdinality.ByValue</c>, so
    /// the second class is the positive one of a binary task (PNEUMONIA after NORMAL).
    /// </summary>
    /// <exception cref="InvalidDataException">Fewer than two classes: a classifier cannot learn from one.</exception>
    public static string[] TrainingClasses(IReadOnlyList<ImageRecord> train, string location)
    {
        string[] classes = train.Select(r => r.Label!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (classes.Length < 2)
        {
            throw new InvalidDataException(
                $"{location}: a classifier needs at least two classes; found only '{classes.Single()}' in {location} ({Counted.Of(train.Count, "image")}). " +
                "Add the images of the other classes, or check the label column.");
        }

        return classes;
    }

    /// <summary>Throws when <paramref name="records"/> hold a class the model will not have.</summary>
    /// <exception cref="InvalidDataException">A class of the split is not a training class; the message lists both.</exception>
    public static void RequireKnownClasses(IReadOnlyList<ImageRecord> records, string[] classes, string split, string location, List<string> warnings)
    {
        var known = new HashSet<string>(classes, StringComparer.Ordinal);
        var unknown = records.Where(r => !known.Contains(r.Label!)).GroupBy(r => r.Label!, StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
        {
            string what = string.Join("; ", unknown.Select(g => $"'{g.Key}' ({Counted.Of(g.Count(), "image")}, first at {g.First().Source}){CaseHint(g.Key, classes)}"));
            throw new InvalidDataException(
                $"{location}: the {split} split has classes the training split does not: {what}. " +
                $"The model only knows the training classes {Quoted(classes)}.");
        }

        int present = records.Select(r => r.Label!).Distinct(StringComparer.Ordinal).Count();
        if (present < 2)
        {
            warnings.Add($"{location}: the {split} split has only class '{records[0].Label}'; its AUC is undefined.");
        }
    }

    /// <summary>
    /// Warns about multi-label columns that have no positive or no negative training label. Warned, not refused: a
    /// CheXpert-style file has many findings, a rare one can lack positives in a small subset, and the rest of the
    /// labels still train; the label's own AUC is undefined, which the person should know. A single-label set with
    /// one class, by contrast, cannot train at all, so <see cref="TrainingClasses"/> throws.
    /// </summary>
    public static void WarnSingleValuedLabels(IReadOnlyList<ImageRecord> train, IReadOnlyList<string> labelNames, string location, List<string> warnings)
    {
        for (int k = 0; k < labelNames.Count; k++)
        {
            var counts = MultiLabelValueCounts.Of(train, k);
            if (counts.Positive == 0 || counts.Negative == 0)
            {
                warnings.Add(
                    $"{location}: label column '{labelNames[k]}' has {(counts.Positive == 0 ? "no positive (1)" : "no negative (0)")} value in the training split " +
                    $"({counts}). Its AUC on certain labels is undefined, and the model learns the label only from what the uncertainty policy makes of its -1 values.");
            }
        }
    }

    /// <summary>Names as a quoted, comma-separated list.</summary>
    public static string Quoted(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

    private static string CaseHint(string label, string[] classes) =>
        classes.FirstOrDefault(c => string.Equals(c, label, StringComparison.OrdinalIgnoreCase)) is string match
            ? $" (differs from '{match}' only in case; class names are case-sensitive)"
            : string.Empty;
}
