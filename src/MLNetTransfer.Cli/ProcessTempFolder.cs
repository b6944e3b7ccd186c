using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;

namespace MLNetTransfer.Cli;

/// <summary>
/// This process's own folder for ML.NET's temporary files, <c>mlnet-transfer-&lt;pid&gt;</c> in the system temp folder,
/// deleted when the command ends; folders left by processes that no longer run are deleted when the next one starts.
/// </summary>
/// <remarks>
/// Loading a model.zip, ML.NET's OnnxTransformer writes the ONNX graph it holds (45-61 MB for a ResNet) to a file in
/// <c>MLContext.TempFilePath</c> and deletes it when the transformer is disposed (<c>OnnxModel.CreateFromBytes</c> in
/// dotnet/machinelearning, src/Microsoft.ML.OnnxTransformer/OnnxUtils.cs); a process killed with SIGKILL runs no
/// dispose and leaves it. The file's name is random, so only a folder named by the pid says whose it is. The library
/// sweeps its own graph files the same way (its Scoring/OnnxLeftovers.cs), but the command line sees only the library's
/// public API, hence this small copy of the liveness check. A running pid keeps its folder even when the pid was
/// reused by another program: deleting a live model's graph would break it, a stale folder only costs disk.
/// </remarks>
internal static class ProcessTempFolder
{
    private const string Prefix = "mlnet-transfer-";
    private static readonly Regex Name = new($"^{Prefix}(?<pid>[0-9]+)$", RegexOptions.CultureInvariant);
    private static readonly Lazy<string> Folder = new(Create);

    /// <summary>This process's folder (created on first use), for every MLContext the command line makes.</summary>
    public static string Path => Folder.Value;

    /// <summary>An MLContext whose temporary files go to this process's folder.</summary>
    public static Microsoft.ML.MLContext NewContext(int? seed = null) => new(seed) { TempFilePath = Path };

    /// <summary>Deletes the folders in <paramref name="parent"/> (default: the system temp folder) whose process no longer runs; returns how many.</summary>
    public static int SweepDead(string? parent = null)
    {
        parent ??= System.IO.Path.GetTempPath();
        string[] folders;
        try
        {
            folders = Directory.GetDirectories(parent, Prefix + "*");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0; // A folder we cannot list holds nothing we could delete.
        }

        int deleted = 0;
        foreach (string folder in folders)
        {
            var match = Name.Match(System.IO.Path.GetFileName(folder));
            if (!match.Success || !int.TryParse(match.Groups["pid"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                || pid == Environment.ProcessId || IsRunning(pid) || new DirectoryInfo(folder).LinkTarget is not null)
            {
                continue; // A link is not a folder we made: never delete through it.
            }

            try
            {
                Directory.Delete(folder, recursive: true);
                deleted++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's folder in a shared temp folder, or removed by a concurrent sweep: not ours to insist on.
            }
        }

        return deleted;
    }

    /// <summary>Deletes this process's folder if it was created. Called when the command ends.</summary>
    public static void Delete()
    {
        if (!Folder.IsValueCreated)
        {
            return;
        }

        try
        {
            Directory.Delete(Folder.Value, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file still open on Windows: the next start's sweep removes the folder.
        }
    }

    private static string Create()
    {
        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), Prefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        if (Directory.Exists(folder))
        {
            // Left by an earlier process with this pid (pids are reused): its files are stale, and a link is not ours.
            if (new DirectoryInfo(folder).LinkTarget is not null)
            {
                Directory.Delete(folder);
            }
            else
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        Directory.CreateDirectory(folder);
        return folder;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // "Process with an Id of N is not running."
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            return true; // Cannot tell: keep the folder.
        }
    }
}
