using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MLNetTransfer.Data;

/// <summary>The column positions one CSV file's rows are read from.</summary>
/// <param name="Image">The image path column.</param>
/// <param name="Label">The single-label column; -1 for multi-label data.</param>
/// <param name="Labels">The multi-label columns in option order; null for single-label data.</param>
/// <param name="Group">The group column, if one was asked for.</param>
internal sealed record CsvLayout(int Image, int Label, int[]? Labels, int? Group)
{
    /// <summary>Finds the columns that <paramref name="options"/> name in <paramref name="header"/>.</summary>
    /// <exception cref="InvalidDataException">A column is absent or ambiguous, or a multi-label column is named twice.</exception>
    public static CsvLayout Resolve(IReadOnlyList<string> header, ImageCsvOptions options, string csvPath)
    {
        int image = CsvColumns.Find(header, options.ImageColumnName, DataParameters.ImageColumn, "the image paths", csvPath);
        int? group = options.GroupColumnName is { } groupColumn
            ? CsvColumns.Find(header, groupColumn, DataParameters.GroupColumn, "the groups", csvPath)
            : null;
        if (options.LabelColumnNames is not { Count: > 0 } labelNames)
        {
            int label = CsvColumns.Find(header, options.LabelColumnName, DataParameters.LabelColumn, "the labels", csvPath);
            return new CsvLayout(image, label, null, group);
        }

        int[] labels = labelNames
            .Select(name => CsvColumns.Find(header, name, DataParameters.LabelColumns, "a multi-label column", csvPath))
            .ToArray();
        if (labels.Distinct().Count() != labels.Length)
        {
            string twice = header[labels.GroupBy(i => i).First(g => g.Count() > 1).Key];
            throw new InvalidDataException($"{csvPath}: {DataParameters.LabelColumns} names column '{twice}' more than once; each label is one output of the model.");
        }

        if (labels.Contains(image))
        {
            throw new InvalidDataException($"{csvPath}: {DataParameters.LabelColumns} includes the image column '{header[image]}'.");
        }

        return new CsvLayout(image, -1, labels, group);
    }
}
