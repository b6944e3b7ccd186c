using System.Collections.Generic;
using System.Linq;

namespace MLNetTransfer.Cli.Data;

/// <summary>The column positions one CSV file's rows are read from.</summary>
/// <param name="Image">The image path column.</param>
/// <param name="Label">The single-label column; -1 for multi-label data.</param>
/// <param name="Labels">The multi-label columns in option order; null for single-label data.</param>
/// <param name="Group">The group column, if one was asked for.</param>
internal sealed record CsvLayout(int Image, int Label, int[]? Labels, int? Group)
{
    /// <summary>Finds the columns that <paramref name="options"/> name in <paramref name="header"/>.</summary>
    /// <exception cref="DataSetException">A column is absent or ambiguous, or a multi-label column is named twice.</exception>
    public static CsvLayout Resolve(IReadOnlyList<string> header, DataSourceOptions options, string csvPath)
    {
        int image = CsvColumns.Find(header, options.ImageColumn, DataSourceOptions.ImageColumnOption, "the image paths", csvPath);
        int? group = options.GroupColumn is { } groupColumn
            ? CsvColumns.Find(header, groupColumn, DataSourceOptions.GroupColumnOption, "the groups", csvPath)
            : null;
        if (!options.IsMultiLabel)
        {
            int label = CsvColumns.Find(header, options.LabelColumn, DataSourceOptions.LabelColumnOption, "the labels", csvPath);
            return new CsvLayout(image, label, null, group);
        }

        int[] labels = options.LabelColumns!
            .Select(name => CsvColumns.Find(header, name, DataSourceOptions.LabelColumnsOption, "a multi-label column", csvPath))
            .ToArray();
        if (labels.Distinct().Count() != labels.Length)
        {
            string twice = header[labels.GroupBy(i => i).First(g => g.Count() > 1).Key];
            throw new DataSetException($"{csvPath}: {DataSourceOptions.LabelColumnsOption} names column '{twice}' more than once; each label is one output of the model.");
        }

        if (labels.Contains(image))
        {
            throw new DataSetException($"{csvPath}: {DataSourceOptions.LabelColumnsOption} includes the image column '{header[image]}'.");
        }

        return new CsvLayout(image, -1, labels, group);
    }
}
