using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MLNetTransfer.Dicom;

namespace MLNetTransfer.Cli.Data;

/// <summary>
/// <c>--group-column dicom:KEYWORD</c>: each image's group read from a tag of its DICOM file (e.g. PatientID) with the
/// DICOM package's <see cref="DicomFiles.ReadTag"/>, so that a folder of DICOM files, which has no group column, is
/// still split by patient.
/// </summary>
internal static class DicomGroups
{
    public const string Prefix = "dicom:";

    /// <summary>The tag of a <c>dicom:KEYWORD</c> group option, or null for a CSV column.</summary>
    public static string? Tag(string? groupColumn)
    {
        if (groupColumn is null || !groupColumn.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string tag = groupColumn[Prefix.Length..].Trim();
        return tag.Length > 0 ? tag : throw new DataSetException($"{DataSourceOptions.GroupColumnOption} {groupColumn}: name the tag after '{Prefix}', e.g. {Prefix}PatientID.");
    }

    /// <summary>The records with their group set to the tag's value; a file without it, or not DICOM, is an error naming it.</summary>
    public static IReadOnlyList<ImageRecord> Fill(IReadOnlyList<ImageRecord> records, string tag)
    {
        var groups = records.AsParallel().AsOrdered().Select(r => Read(r, tag)).ToArray();
        return records.Select((r, i) => r with { Group = groups[i] }).ToList();
    }

    private static string Read(ImageRecord record, string tag)
    {
        string? value;
        try
        {
            value = DicomFiles.IsDicom(record.Path) ? DicomFiles.ReadTag(record.Path, tag) : throw new DataSetException(
                $"{DataSourceOptions.GroupColumnOption} {Prefix}{tag}: '{record.Path}' ({record.Source}) is not a DICOM file, so it has no {tag} tag.");
        }
        catch (ArgumentException e)
        {
            throw new DataSetException($"{DataSourceOptions.GroupColumnOption} {Prefix}{tag}: {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new DataSetException($"{DataSourceOptions.GroupColumnOption} {Prefix}{tag}: {e.Message}", e);
        }

        return string.IsNullOrWhiteSpace(value)
            ? throw new DataSetException($"{DataSourceOptions.GroupColumnOption} {Prefix}{tag}: '{record.Path}' ({record.Source}) has no {tag} (the tag is absent or empty).")
            : value.Trim();
    }
}
