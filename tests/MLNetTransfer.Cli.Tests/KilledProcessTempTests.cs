using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests;

/// <summary>
/// ML.NET writes the ONNX graph of a loaded model.zip to a temporary file; a process killed with SIGKILL leaves it
/// (tens of MB each time). Each command-line process keeps such files in its own folder <c>mlnet-transfer-&lt;pid&gt;</c>
/// under the temp folder, deleted when it ends; the next process to start deletes the folders of pids that no longer
/// run, and keeps those of running ones.
/// </summary>
[Collection("NoParallelization")]
public sealed class KilledProcessTempTests : IClassFixture<StopSignalTests.TrainedModel>, IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly StopSignalTests.TrainedModel _model;
    private readonly TempDataFolder _temp = new();

    public KilledProcessTempTests(ITestOutputHelper log, StopSignalTests.TrainedModel model)
    {
        _log = log;
        _model = model;
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_killed_predicts_folder_is_removed_by_the_next_start_and_live_pids_folders_stay()
    {
        string model = _model.ModelPath(_log);
        // The tools' temp folder is this test's; the runtime's diagnostics socket, which it would put there, is off.
        var environment = new Dictionary<string, string> { ["TMPDIR"] = _temp.Root, ["DOTNET_EnableDiagnostics"] = "0" };
        string live = Directory.CreateDirectory(Path.Combine(_temp.Root, $"mlnet-transfer-{Environment.ProcessId}")).FullName;
        File.WriteAllText(Path.Combine(live, "graph"), "a running process's file");
        string notOurs = Directory.CreateDirectory(Path.Combine(_temp.Root, "mlnet-transfer-notes")).FullName;

        using var process = CliProcess.Start(_log, new[] { "predict", "--model", model, "--json", Path.Combine(_model.Data, "test") }, environment);
        string killed = Path.Combine(_temp.Root, $"mlnet-transfer-{process.Id}");
        var watch = Stopwatch.StartNew();
        // Until ML.NET has written the whole graph (its size unchanged for 200 ms), so the kill leaves all of it.
        long size = -1;
        while (!process.HasExited && watch.Elapsed < TimeSpan.FromMinutes(2))
        {
            long now = Graphs(killed).Sum(f => new FileInfo(f).Length);
            if (now > 0 && now == size)
            {
                break;
            }

            size = now;
            Thread.Sleep(200);
        }

        Assert.False(process.HasExited, "the tool ended before its model was loaded");
        process.Kill(); // SIGKILL on Unix: no handler, no finally runs
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)));
        long left = Graphs(killed).Sum(f => new FileInfo(f).Length);
        _log.WriteLine($"SIGKILL at {watch.Elapsed.TotalSeconds:F2} s; {killed} holds {left:N0} bytes: " +
            string.Join(", ", Graphs(killed).Select(f => $"{Path.GetFileName(f)} ({new FileInfo(f).Length:N0})")));
        Assert.True(left >= 10 << 20, "the killed process left its graph (a ResNet18, tens of MB) in its own folder");

        // Any start sweeps; this one stops at once on its missing model (exit 3).
        var next = CliProcess.Run(_log, new[] { "predict", "--model", Path.Combine(_temp.Root, "no-such-model.zip"), _model.Data }, environment);
        Assert.Equal(3, next.ExitCode);

        Assert.False(Directory.Exists(killed), "the folder of a pid that no longer runs is deleted");
        Assert.True(File.Exists(Path.Combine(live, "graph")), "a running pid's folder stays");
        Assert.True(Directory.Exists(notOurs), "a folder not named by a pid stays");

        // A process that ends normally deletes its own folder, graph included.
        string image = Directory.EnumerateFiles(Path.Combine(_model.Data, "test"), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        var predicted = CliProcess.Run(_log, new[] { "predict", "--model", model, image }, environment);
        Assert.Equal(0, predicted.ExitCode);
        Assert.Equal(
            new[] { live, notOurs }.Order(StringComparer.Ordinal),
            Directory.GetDirectories(_temp.Root, "mlnet-transfer-*").Order(StringComparer.Ordinal));
    }

    // Files of a megabyte or more: the model's graph, not a native library's small files.
    private static string[] Graphs(string folder) => Directory.Exists(folder)
        ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Where(f => new FileInfo(f).Length >= 1 << 20).ToArray()
        : Array.Empty<string>();
}
