using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;

namespace MLNetTransfer.Scoring;

/// <summary>
/// Removes graph files that <see cref="OnnxModelFile"/> left behind in a process that no longer runs: a process killed
/// with SIGKILL (or that crashed) runs no exit handler, and each of its files is a whole ResNet (about 60 MB).
/// </summary>
/// <remarks>
/// The files are named <c>mlnettransfer-&lt;pid&gt;-&lt;guid&gt;.onnx</c> (<c>.onnx.partial</c> while being written); one
/// whose pid is not a running process is removed. A running pid keeps its files even when the pid was reused by another
/// program: deleting the graph of a live model would break it, keeping a stale file only costs disk. Each folder is swept once per process, the first time
/// this process writes a graph there, so every app that uses the library benefits, not only the command line.
/// </remarks>
internal static class OnnxLeftovers
{
    private static readonly Regex Name = new(@"^mlnettransfer-(?<pid>[0-9]+)-[0-9a-f]{32}\.onnx(\.partial)?$", RegexOptions.CultureInvariant);
    private static readonly ConcurrentDictionary<string, bool> Swept = new(StringComparer.Ordinal);

    /// <summary>Appended to a graph file's name while it is being written (<see cref="OnnxModelFile"/>).</summary>
    public const string PartialSuffix = ".partial";

    /// <summary>The name of a graph file written by this process.</summary>
    public static string NewFileName() =>
        string.Create(CultureInfo.InvariantCulture, $"mlnettransfer-{Environment.ProcessId}-{Guid.NewGuid():N}.onnx");

    /// <summary>Sweeps <paramref name="directory"/> unless this process already did.</summary>
    public static void SweepOnce(string directory)
    {
        if (Swept.TryAdd(Path.GetFullPath(directory), true))
        {
            Sweep(directory);
        }
    }

    /// <summary>Deletes the graph files in <paramref name="directory"/> whose process is gone; returns how many.</summary>
    public static int Sweep(string directory)
    {
        int deleted = 0;
        string[] files;
        try
        {
            files = Directory.GetFiles(directory, "mlnettransfer-*.onnx*");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0; // A folder we cannot list holds nothing we could delete.
        }

        foreach (var file in files)
        {
            var match = Name.Match(Path.GetFileName(file));
            if (!match.Success || !int.TryParse(match.Groups["pid"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || IsRunning(pid))
            {
                continue;
            }

            try
            {
                File.Delete(file);
                deleted++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's file in a shared temp folder, or removed by a concurrent sweep: not ours to insist on.
            }
        }

        return deleted;
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
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return true; // Cannot tell: keep the file.
        }
    }
}
