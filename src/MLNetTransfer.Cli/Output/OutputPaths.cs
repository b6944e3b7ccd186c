using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MLNetTransfer.Cli.Output;

/// <summary>
/// A command's output paths, checked before any image is read or any epoch trained: a file output is not an existing
/// folder and a folder output not an existing file; no two outputs name the same path; no output is an input (the
/// data set's CSV or folder, --model, --weights) or an existing image inside a data set folder; and each output's folder
/// can be created and written (a probe file is created and deleted). A run that would fail at its last step, after
/// hours of training, fails at once instead, naming the option.
/// </summary>
internal sealed class OutputPaths
{
    // The image extensions the folder reader takes (the library's Data/ImageFiles.cs, which the command line cannot see).
    private static readonly string[] _imageExtensions = { ".png", ".jpg", ".jpeg", ".dcm" };

    // Paths differ only in case on Linux; Windows' and macOS's default file systems ignore case.
    private static readonly StringComparison _pathComparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    private readonly List<(string Option, string Path, bool IsFolder)> _outputs = new();
    private readonly List<(string Option, string Path)> _inputs = new();
    private readonly List<(string Option, string Path)> _reports = new();

    /// <summary>A file the command writes (its folder is created); null when the option was not given.</summary>
    public OutputPaths File(string option, string? path) => Add(_outputs, option, path, isFolder: false);

    /// <summary>A folder the command writes files into (created when absent); null when the option was not given.</summary>
    public OutputPaths Folder(string option, string? path) => Add(_outputs, option, path, isFolder: true);

    /// <summary>
    /// The report's folder (<c>--report</c>): a folder output whose fixed file names (index.html and the plots) must not
    /// replace a file that is not from a previous report, nor another output's file.
    /// </summary>
    public OutputPaths Report(string option, string? path)
    {
        Folder(option, path);
        if (path is not null)
        {
            _reports.Add((option, System.IO.Path.GetFullPath(path)));
        }

        return this;
    }

    /// <summary>A file or folder the command reads (a data set's CSV or folder, a model, weights); null when not given.</summary>
    public OutputPaths Input(string option, string? path)
    {
        if (path is not null)
        {
            _inputs.Add((option, System.IO.Path.GetFullPath(path)));
        }

        return this;
    }

    /// <summary>Checks every output; the first problem is a <see cref="CliException"/> with <see cref="ExitCodes.Usage"/> naming the option(s).</summary>
    public void Check()
    {
        foreach (var (option, path, isFolder) in _outputs)
        {
            if (!isFolder && Directory.Exists(path))
            {
                throw Refused($"{option}: {path} is a folder; a file name is expected.");
            }

            if (isFolder && System.IO.File.Exists(path))
            {
                throw Refused($"{option}: {path} is a file; a folder is expected.");
            }
        }

        for (int i = 0; i < _outputs.Count; i++)
        {
            for (int j = i + 1; j < _outputs.Count; j++)
            {
                if (Same(_outputs[i].Path, _outputs[j].Path))
                {
                    throw Refused($"{_outputs[i].Option} and {_outputs[j].Option} name the same {(_outputs[i].IsFolder, _outputs[j].IsFolder) switch { (false, false) => "file", (true, true) => "folder", _ => "path" }} {_outputs[i].Path}.");
                }
            }
        }

        foreach (var (option, path, isFolder) in _outputs)
        {
            foreach (var (input, inputPath) in _inputs)
            {
                if (Same(path, inputPath))
                {
                    throw Refused($"{option} names {inputPath}, which {input} reads; writing it would destroy the input.");
                }

                if (!isFolder && Directory.Exists(inputPath) && IsInside(path, inputPath) && IsImage(path) && System.IO.File.Exists(path))
                {
                    throw Refused($"{option}: {path} is an image of the data set given with {input}; writing it would destroy the image.");
                }
            }
        }

        foreach (var (option, folder) in _reports)
        {
            CheckReportNames(option, folder);
        }

        foreach (var (option, path, isFolder) in _outputs)
        {
            CheckWritable(option, isFolder ? path : System.IO.Path.GetDirectoryName(path)!);
        }
    }

    private OutputPaths Add(List<(string, string, bool)> list, string option, string? path, bool isFolder)
    {
        if (path is not null)
        {
            list.Add((option, System.IO.Path.GetFullPath(path), isFolder));
        }

        return this;
    }

    // The report writes index.html and its plots by fixed names. Another output of this run by one of those names would be
    // replaced by the report (or replace it); a file by one of those names in a folder that holds no report of ours is the
    // user's (their own index.html, a plot of their own) and would be overwritten without a word.
    private void CheckReportNames(string option, string folder)
    {
        foreach (var (other, path, isFolder) in _outputs)
        {
            if (!isFolder && Same(System.IO.Path.GetDirectoryName(path)!, folder) && ReportWriter.FileNames.Any(n => string.Equals(System.IO.Path.GetFileName(path), n, _pathComparison)))
            {
                throw Refused($"{option} and {other} both write {path}: the report writes {System.IO.Path.GetFileName(path)} into {folder}. Give {other} another name or folder.");
            }
        }

        if (!Directory.Exists(folder) || ReportWriter.IsPreviousReport(folder))
        {
            return;
        }

        foreach (string name in ReportWriter.FileNames)
        {
            string existing = System.IO.Path.Combine(folder, name);
            if (System.IO.Path.Exists(existing))
            {
                throw Refused(
                    $"{option}: {folder} holds {existing}, which is not from a report of mlnet-transfer; the report would overwrite it. " +
                    $"Choose another {option} folder, or move the file.");
            }
        }
    }

    // Creates the folder (and any missing parents), writes and deletes a probe file in it, and removes the folders it
    // created, so that a refused or later-failing run leaves nothing behind.
    private static void CheckWritable(string option, string folder)
    {
        var created = new List<string>(); // innermost first
        for (string? missing = folder; missing is not null && !Directory.Exists(missing); missing = System.IO.Path.GetDirectoryName(missing))
        {
            if (System.IO.File.Exists(missing))
            {
                throw Refused($"{option}: the folder {folder} cannot be created: {missing} is a file.");
            }

            created.Add(missing);
        }

        try
        {
            Directory.CreateDirectory(folder);
            string probe = System.IO.Path.Combine(folder, $".mlnet-transfer-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw Refused($"{option}: cannot write in the folder {folder}: {e.Message}");
        }
        finally
        {
            foreach (string folderCreated in created)
            {
                try
                {
                    Directory.Delete(folderCreated);
                }
                catch (Exception e) when (e is UnauthorizedAccessException or IOException)
                {
                    // Not ours to empty, or never created: leave it.
                }
            }
        }
    }

    private static bool Same(string a, string b) =>
        string.Equals(System.IO.Path.TrimEndingDirectorySeparator(a), System.IO.Path.TrimEndingDirectorySeparator(b), _pathComparison);

    private static bool IsInside(string path, string folder) =>
        path.StartsWith(System.IO.Path.TrimEndingDirectorySeparator(folder) + System.IO.Path.DirectorySeparatorChar, _pathComparison);

    private static bool IsImage(string path) => _imageExtensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    private static CliException Refused(string message) => new(ExitCodes.Usage, message);
}
