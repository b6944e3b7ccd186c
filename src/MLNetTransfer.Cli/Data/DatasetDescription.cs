using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace MLNetTransfer.Cli.Data;

/// <summary>
/// The console text of <see cref="LabeledDataset.Describe"/>: one row per class or label, one column per split, from
/// the counts the library's <see cref="ImageDataSplits"/> carries.
/// </summary>
internal static class DatasetDescription
{
    public static string Of(LabeledDataset data)
    {
        var splits = data.Counts;
        var text = new StringBuilder();
        text.AppendLine(Heading(data));
        var rows = new List<string[]> { new[] { data.Task == TaskKind.MultiLabel ? "label (1/0/-1/blank)" : "class" }.Concat(splits.Select(s => s.Split)).ToArray() };
        foreach (string name in data.ClassNames)
        {
            rows.Add(new[] { name }.Concat(splits.Select(s => Cell(data.Task, s.Counts, name))).ToArray());
        }

        rows.Add(new[] { "images" }.Concat(splits.Select(s => s.Counts.Images.ToString())).ToArray());
        int[] widths = Enumerable.Range(0, rows[0].Length).Select(col => rows.Max(r => r[col].Length)).ToArray();
        foreach (string[] row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, col) => col == 0 ? cell.PadRight(widths[col]) : cell.PadLeft(widths[col]))).TrimEnd());
        }

        if (data.Validation is null)
        {
            text.AppendLine("No validation split given: the trainer holds part of the training split out.");
        }

        return text.ToString().TrimEnd();
    }

    private static string Heading(LabeledDataset data) => data.Task switch
    {
        TaskKind.Binary => $"Binary task: classes {Quoted(data.ClassNames)} in key order; the positive class is '{data.ClassNames[1]}'.",
        TaskKind.Multiclass => $"Multiclass task: {data.ClassNames.Count} classes {Quoted(data.ClassNames)} in key order.",
        _ => $"Multi-label task: {data.ClassNames.Count} labels {Quoted(data.ClassNames)}, one output each.",
    };

    private static string Quoted(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

    private static string Cell(TaskKind task, ImageSplitCounts counts, string name)
    {
        if (task != TaskKind.MultiLabel)
        {
            return counts.ImagesPerClass.GetValueOrDefault(name).ToString();
        }

        var values = counts.LabelValues[name];
        return $"{values.Positive}/{values.Negative}/{values.Uncertain}/{values.Missing}";
    }
}
