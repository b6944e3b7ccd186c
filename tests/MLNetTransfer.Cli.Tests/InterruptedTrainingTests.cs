using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.Json;
using MLNetTransfer.Cli.Tests.Data;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests;

/// <summary>
/// Ctrl+C during <c>train</c> stops with exit code 130 and a message that says how to continue; the same command with
/// <c>--resume</c> continues from the last checkpoint and ends with the full run's epochs.
/// </summary>
[Collection("NoParallelization")]
[Trait("Category", "Reliability")]
public sealed class InterruptedTrainingTests : IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly TempDataFolder _folder = new();

    public InterruptedTrainingTests(ITestOutputHelper log)
    {
        _log = log;
        SyntheticChestXrays.WriteDataset(Path.Combine(Root, "data"), size: 48, train: 64, validation: 16, test: 16);
    }

    private string Root => _folder.Root;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void CtrlCStopsAndResumeFinishesTheRun()
    {
        string metrics = Path.Combine(Root, "metrics.json");
        var arguments = new[]
        {
            "train", "--data", Path.Combine(Root, "data"), "--grayscale", "--strategy", "last-stages:1", "--epochs", "4",
            "--batch-size", "8", "--image-size", "40", "--checkpoint-dir", Path.Combine(Root, "checkpoints"),
            "--output", Path.Combine(Root, "model.zip"), "--metrics-json", metrics,
        };

        using var process = CliProcess.Start(_log, arguments);
        var output = new StringBuilder();
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null)
        {
            output.AppendLine(line);
            if (line.Contains("epoch  1/4", StringComparison.Ordinal))
            {
                // SIGINT, as Ctrl+C sends: System.CommandLine cancels the action's token, the engine stops at its next step.
                using var kill = Process.Start("kill", new[] { "-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })!;
                kill.WaitForExit();
                break;
            }
        }

        output.Append(process.StandardOutput.ReadToEnd());
        string error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)));
        _log.WriteLine(output.ToString());
        _log.WriteLine($"exit code {process.ExitCode}; stderr: {error}");
        Assert.Equal(130, process.ExitCode);
        Assert.Contains("--resume", error);
        Assert.False(File.Exists(metrics), "a stopped run writes no metrics");

        var resumed = CliProcess.Run(_log, [.. arguments, "--resume"]);
        Assert.Equal(0, resumed.ExitCode);
        using var json = JsonDocument.Parse(File.ReadAllText(metrics));
        Assert.Equal(4, json.RootElement.GetProperty("epochs").GetArrayLength());
    }
}
