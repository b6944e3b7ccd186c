using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MLNetTransfer.Data;

/// <summary>Finds the columns the options name in a CSV header.</summary>
internal static class CsvColumns
{
    /// <summary>
    /// The index of <paramref name="name"/> in <paramref name="header"/>: an exact match first, then a case-insensitive
    /// one, because hand-typed names ("path" for "Path") often differ from the header only in case, while a
    /// header that holds both "Path" and "path" must still mean the exact one.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// No such column (the message lists the columns that exist and names <paramref name="parameter"/>), or the name
    /// matches two columns and the match is ambiguous.
    /// </exception>
    public static int Find(IReadOnlyList<string> header, string name, string parameter, string what, string csvPath)
    {
        int[] exact = IndicesOf(header, name, StringComparison.Ordinal);
        int[] matches = exact.Length > 0 ? exact : IndicesOf(header, name, StringComparison.OrdinalIgnoreCase);
        if (matches.Length == 1)
        {
            return matches[0];
        }

        if (matches.Length > 1)
        {
            throw new InvalidDataException(
                $"{csvPath}: the header has {matches.Length} columns named '{name}' ({what}, {parameter}), " +
                $"at positions {string.Join(", ", matches.Select(i => i + 1))}; rename all but one.");
        }

        throw new InvalidDataException(
            $"{csvPath}: no column '{name}' ({what}, {parameter}). The header's columns are {List(header)}; " +
            $"pass the right one with {parameter}.{DelimiterHint(header)}");
    }

    /// <summary>The header's columns as a quoted list, for messages.</summary>
    public static string List(IReadOnlyList<string> header) => string.Join(", ", header.Select(h => $"'{h}'"));

    private static int[] IndicesOf(IReadOnlyList<string> header, string name, StringComparison comparison) =>
        Enumerable.Range(0, header.Count).Where(i => string.Equals(header[i], name, comparison)).ToArray();

    // A CSV saved with semicolons or tabs (a spreadsheet's regional setting) parses as one wide column; say so, since
    // the column list alone ("'Path;Label'") hides it.
    private static string DelimiterHint(IReadOnlyList<string> header) =>
        header.Count == 1 && header[0].IndexOfAny(new[] { ';', '\t' }) >= 0
            ? " The header looks separated by semicolons or tabs; the file must be comma-separated."
            : string.Empty;
}
