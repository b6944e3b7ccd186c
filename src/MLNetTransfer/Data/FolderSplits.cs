using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MLNetTransfer.Data;

/// <summary>The split folders of a folder-per-class data set.</summary>
/// <param name="Train">The folder whose subfolders are the training classes.</param>
/// <param name="Validation">val/ or validation/, when there is one.</param>
/// <param name="Test">test/, when there is one.</param>
internal sealed record FolderSplits(string Train, string? Validation, string? Test)
{
    /// <summary>
    /// With a <c>train</c> subfolder, the pediatric pneumonia set's layout: <c>train/</c>, <c>val/</c> (or
    /// <c>validation/</c>) and <c>test/</c>, each with one subfolder per class. Without one, the subfolders of
    /// <paramref name="dataPath"/> are the classes, all for training.
    /// </summary>
    /// <exception cref="InvalidDataException">The split names are ambiguous, or val/ or test/ exist without train/.</exception>
    public static FolderSplits Locate(string dataPath, List<string> warnings)
    {
        string[] names = ImageFiles.Subfolders(dataPath).Select(Path.GetFileName).ToArray()!;
        string? train = Find(names, dataPath, "train");
        string? val = Find(names, dataPath, "val");
        string? validation = Find(names, dataPath, "validation");
        string? test = Find(names, dataPath, "test");
        if (val is not null && validation is not null)
        {
            throw new InvalidDataException($"{dataPath} ({DataParameters.DataPath}): has both '{val}' and '{validation}'; keep one validation folder.");
        }

        val ??= validation;
        if (train is null)
        {
            // Without this check, val/ and test/ would silently become two classes named "val" and "test".
            if (val is not null || test is not null)
            {
                throw new InvalidDataException(
                    $"{dataPath} ({DataParameters.DataPath}): has '{val ?? test}/' but no 'train/' folder. " +
                    "Either put the training images under train/<class>/, or pass a folder whose subfolders are the classes.");
            }

            return new FolderSplits(dataPath, null, null);
        }

        string[] others = names.Where(n => n != train && n != val && n != test).ToArray();
        if (others.Length > 0)
        {
            warnings.Add($"{dataPath}: only train/, val/ (or validation/) and test/ are read; ignored {string.Join(", ", others.Select(o => $"'{o}/'"))}.");
        }

        return new FolderSplits(
            Path.Combine(dataPath, train),
            val is null ? null : Path.Combine(dataPath, val),
            test is null ? null : Path.Combine(dataPath, test));
    }

    /// <summary>
    /// The split folder (<c>train</c>, <c>val</c>, <c>validation</c> or <c>test</c>, in any case) that makes
    /// <paramref name="folder"/> a tree of splits rather than a folder of classes; null when there is none.
    /// </summary>
    public static string? SplitFolderIn(string folder)
    {
        string[] names = ImageFiles.Subfolders(folder).Select(Path.GetFileName).ToArray()!;
        return new[] { "train", "val", "validation", "test" }.Select(split => Find(names, folder, split)).FirstOrDefault(n => n is not null);
    }

    // The exact name first; otherwise one case-insensitive match ("Train", "TEST"), since the name's case says nothing
    // about which split a folder is.
    private static string? Find(string[] names, string dataPath, string split)
    {
        if (names.Contains(split, StringComparer.Ordinal))
        {
            return split;
        }

        string[] matches = names.Where(n => string.Equals(n, split, StringComparison.OrdinalIgnoreCase)).ToArray();
        return matches.Length switch
        {
            0 => null,
            1 => matches[0],
            _ => throw new InvalidDataException($"{dataPath}: folders {string.Join(", ", matches.Select(m => $"'{m}'"))} all name the {split} split; keep one."),
        };
    }
}
