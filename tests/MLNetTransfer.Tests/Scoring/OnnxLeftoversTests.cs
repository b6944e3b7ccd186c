using System;
using System.Diagnostics;
using System.IO;
using MLNetTransfer.Scoring;
using Xunit;

namespace MLNetTransfer.Tests.Scoring;

/// <summary>
/// Graph files of a process that was killed (its pid is no longer running) are removed the first time another process
/// writes a graph in the same folder; those of running processes, and other files, stay.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class OnnxLeftoversTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlnettransfer-leftovers-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_dead_pids_graph_is_removed_and_a_live_ones_stays()
    {
        string dead = Leftover(DeadPid());
        string live = Leftover(Environment.ProcessId);
        string other = Path.Combine(_folder, "mlnettransfer-notes.onnx");
        File.WriteAllText(other, "not ours by name");

        Assert.Equal(1, OnnxLeftovers.Sweep(_folder));

        Assert.False(File.Exists(dead), "the graph of a process that is gone");
        Assert.True(File.Exists(live), "the graph of this running process");
        Assert.True(File.Exists(other), "a file not named by OnnxModelFile");
    }

    [Fact]
    public void Writing_a_graph_sweeps_its_folder_once()
    {
        string first = Leftover(DeadPid());
        using (var written = OnnxModelFile.Write(_folder, new byte[] { 1, 2, 3 }))
        {
            Assert.False(File.Exists(first));
            Assert.StartsWith($"mlnettransfer-{Environment.ProcessId}-", Path.GetFileName(written.Path), StringComparison.Ordinal);
        }

        // Once per folder and process: a second write does not list the folder again.
        string second = Leftover(DeadPid());
        using (OnnxModelFile.Write(_folder, new byte[] { 1, 2, 3 }))
        {
            Assert.True(File.Exists(second));
        }
    }

    private string Leftover(int pid)
    {
        string path = Path.Combine(_folder, $"mlnettransfer-{pid}-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, new byte[] { 0 });
        return path;
    }

    // The pid of a process that has exited: the kernel hands pids out in increasing order, so it is not reused at once.
    private static int DeadPid()
    {
        using var process = Process.Start(new ProcessStartInfo(Environment.ProcessPath!, "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.Id;
    }
}
