using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetTransfer.Cli.Scoring;

/// <summary>
/// The class (one-vs-rest) or label whose AUCs two models are compared on (<c>CompareAuc</c>'s classIndex): named by an
/// option, or by default a binary model's positive class, the second in key order.
/// </summary>
internal static class ComparedClass
{
    /// <summary>The 0-based index of <paramref name="name"/> in <paramref name="classNames"/>; an error naming <paramref name="option"/> otherwise.</summary>
    public static int Resolve(string? name, TaskKind task, IReadOnlyList<string> classNames, string option)
    {
        var (kind, kinds) = task == TaskKind.MultiLabel ? ("label", "labels") : ("class", "classes");
        string listed = string.Join(", ", classNames.Select(c => $"'{c}'"));
        if (name is null)
        {
            return task == TaskKind.Binary
                ? 1
                : throw new CliException(ExitCodes.Usage,
                    $"{option}: there are {classNames.Count} {kinds} ({listed}) and AUCs are compared one {kind} at a time; name the {kind} with {option}.");
        }

        int index = classNames.ToList().FindIndex(c => string.Equals(c, name, StringComparison.Ordinal));
        return index >= 0
            ? index
            : throw new CliException(ExitCodes.Usage, $"{option}: '{name}' is not a {kind} here; the {kinds} are {listed}.");
    }
}
