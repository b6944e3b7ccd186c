using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using MLNetTransfer.Scoring;
using Xunit;

namespace MLNetTransfer.Tests.Scoring;

/// <summary>
/// A graph file is written under a temporary name (<c>.onnx.partial</c>) and renamed, so ML.NET is never handed a
/// half-written graph; a process killed while writing leaves the partial file, which the next sweep removes like a graph.
/// </summary>
public sealed class OnnxPartialFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlnettransfer-partial-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_written_graph_holds_every_byte_under_its_name_and_leaves_no_partial_file()
    {
        byte[] onnx = Enumerable.Range(0, 1 << 20).Select(i => (byte)(i * 31)).ToArray();

        using var written = OnnxModelFile.Write(_folder, onnx);

        Assert.Equal(onnx, File.ReadAllBytes(written.Path));
        Assert.Equal(new[] { written.Path }, Directory.GetFiles(_folder));
    }

    [Fact]
    public void A_dead_pids_partial_graph_is_swept_and_a_live_ones_stays()
    {
        string dead = Path.Combine(_folder, $"mlnettransfer-{DeadPid()}-{Guid.NewGuid():N}.onnx{OnnxLeftovers.PartialSuffix}");
        string live = Path.Combine(_folder, $"mlnettransfer-{Environment.ProcessId}-{Guid.NewGuid():N}.onnx{OnnxLeftovers.PartialSuffix}");
        File.WriteAllBytes(dead, new byte[] { 0 });
        File.WriteAllBytes(live, new byte[] { 0 });

        Assert.Equal(1, OnnxLeftovers.Sweep(_folder));

        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live));
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
