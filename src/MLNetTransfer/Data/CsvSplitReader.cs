using System;
using System.Collections.Generic;
using System.IO;
using CsvHelper;

namespace MLNetTransfer.Data;

/// <summary>Reads one split from a CSV file: a path column and either one label column or several multi-label columns.</summary>
internal static class CsvSplitReader
{
    // Strict on purpose: a row with a missing field or a stray quote would otherwise shift or merge cells silently, and
    // a shifted multi-label cell reads as a plausible 0 or blank. Comma only, not detected: the documented format is
    // "Path,Label", and detection could pick a ';' or '|' that occurs in file names.
    private static readonly CsvReaderOptions Options = new()
    {
        Separator = ',',
        HasHeader = true,
        TrimWhitespace = true,
        TrackLineNumbers = true,
        MalformedData = CsvMalformedDataHandling.Throw,
        FieldCountMismatch = CsvFieldCountHandling.Throw,
    };

    /// <summary>Reads every row of <paramref name="csvPath"/> (an absolute path) into records.</summary>
    /// <param name="csvPath">The CSV file.</param>
    /// <param name="options">Which columns hold the image path, the label(s) and the group.</param>
    /// <exception cref="InvalidDataException">The file is malformed, lacks a column, or has a bad row; the message names the line.</exception>
    public static List<ImageRecord> Read(string csvPath, ImageCsvOptions options)
    {
        try
        {
            using var reader = CsvReader.FromFile(csvPath, Options);
            return ReadRows(reader, csvPath, options);
        }
        catch (CsvFormatException e)
        {
            string where = e.LineNumber > 0 ? $"{csvPath} line {e.LineNumber}" : csvPath;
            throw new InvalidDataException($"{where}: not a well-formed comma-separated file: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"{csvPath}: cannot be read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidDataException($"{csvPath}: cannot be read: {e.Message}", e);
        }
    }

    private static List<ImageRecord> ReadRows(CsvReader reader, string csvPath, ImageCsvOptions options)
    {
        IReadOnlyList<string> header = reader.Headers;
        if (header.Count == 0)
        {
            throw new InvalidDataException($"{csvPath}: the file is empty; it needs a header row, such as '{options.ImageColumnName},{options.LabelColumnName}', and one row per image.");
        }

        var columns = CsvLayout.Resolve(header, options, csvPath);
        string folder = Path.GetDirectoryName(csvPath)!;
        var records = new List<ImageRecord>();
        while (reader.Read())
        {
            long line = reader.LineNumber;
            string source = $"{csvPath} line {line}";
            string path = ResolveImage(reader.GetString(columns.Image), folder, source, header[columns.Image], csvPath);
            string? group = columns.Group is int g ? RequireValue(reader.GetString(g), source, header[g], DataParameters.GroupColumn, "group") : null;
            if (columns.Labels is int[] labelColumns)
            {
                records.Add(new ImageRecord(path, null, ReadLabels(reader, labelColumns, header, source), group, source));
            }
            else
            {
                string label = RequireValue(reader.GetString(columns.Label), source, header[columns.Label], DataParameters.LabelColumn, "label");
                records.Add(new ImageRecord(path, label, null, group, source));
            }
        }

        if (records.Count == 0)
        {
            throw new InvalidDataException($"{csvPath}: no images; the file has a header ({CsvColumns.List(header)}) but no rows.");
        }

        return records;
    }

    private static float[] ReadLabels(CsvReader reader, int[] labelColumns, IReadOnlyList<string> header, string source)
    {
        var labels = new float[labelColumns.Length];
        for (int k = 0; k < labelColumns.Length; k++)
        {
            string text = reader.GetString(labelColumns[k]);
            if (!MultiLabelValue.TryParse(text, out labels[k]))
            {
                throw new InvalidDataException(
                    $"{source}, column '{header[labelColumns[k]]}' ({DataParameters.LabelColumns}): '{text}' is not a multi-label value; " +
                    $"each cell holds {MultiLabelValue.Allowed}.");
            }
        }

        return labels;
    }

    private static string RequireValue(string text, string source, string column, string option, string what)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InvalidDataException($"{source}, column '{column}' ({option}): the {what} is blank; every row needs one.");
        }

        return text;
    }

    // Relative paths are relative to the CSV's folder, so that a data set folder can move as a whole.
    private static string ResolveImage(string text, string folder, string source, string column, string csvPath)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InvalidDataException($"{source}, column '{column}' ({DataParameters.ImageColumn}): the image path is blank.");
        }

        // A NUL makes Path.GetFullPath throw an ArgumentException that names neither the file nor the line; no file
        // system allows it in a name.
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{source}, column '{column}' ({DataParameters.ImageColumn}): the image path holds a NUL character, which no file name can.");
        }

        string path = Path.GetFullPath(text, folder);
        if (!File.Exists(path))
        {
            throw new InvalidDataException(
                $"{source}, column '{column}': image '{text}' does not exist (looked for {path}; relative paths are read from the CSV file's folder).{ParentHint(text, csvPath)}");
        }

        return path;
    }

    // CheXpert's own CSVs name images from the folder above the CSV ("CheXpert-v1.0-small/train/..."); when that is
    // where the file is, say so instead of leaving the person to guess.
    private static string ParentHint(string text, string csvPath)
    {
        if (Path.IsPathRooted(text) || Directory.GetParent(Path.GetDirectoryName(csvPath)!) is not DirectoryInfo parent)
        {
            return string.Empty;
        }

        string fromParent = Path.GetFullPath(text, parent.FullName);
        return File.Exists(fromParent)
            ? $" It exists relative to the folder above ({fromParent}), as in CheXpert's own CSVs: put the CSV file in {parent.FullName}, or write the paths relative to the CSV's folder."
            : string.Empty;
    }
}
