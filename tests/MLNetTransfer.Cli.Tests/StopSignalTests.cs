using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests;

/// <summary>
/// SIGINT (Ctrl+C) or SIGTERM while <c>predict</c>, <c>evaluate</c> or <c>compare</c> scores: exit code 130, "Stopped."
/// on stderr, no output written (no metrics file, no predictions), and the model's temporary ONNX graph removed. Three
/// SIGINTs in a row end the same way, never with the runtime's abort (134).
/// </summary>
[Collection("NoParallelization")]
[Trait("Category", "Reliability")]
public sealed class StopSignalTests : IClassFixture<StopSignalTests.TrainedModel>
{
    private readonly ITestOutputHelper _log;
    private readonly TrainedModel _model;

    public StopSignalTests(ITestOutputHelper log, TrainedModel model)
    {
        _log = log;
        _model = model;
    }

    /// <summary>A folder with a model.zip trained once for all of these tests, and 160 test images to score.</summary>
    public sealed class TrainedModel : IDisposable
    {
        private readonly TempDataFolder _folder = new();
        private readonly Lock _lock = new();
        private string? _path;

        public string Root => _folder.Root;

        public string Data => Path.Combine(Root, "data");

        public string ModelPath(ITestOutputHelper log)
        {
            lock (_lock)
            {
                if (_path is null)
                {
                    SyntheticChestXrays.WriteDataset(Data, size: 64, train: 32, validation: 8, test: 160);
                    string path = Path.Combine(Root, "model.zip");
                    var train = CliProcess.Run(log, "train", "--data", Data, "--grayscale", "--strategy", "feature-extraction", "--epochs", "1",
                        "--batch-size", "16", "--image-size", "64", "--output", path);
                    Assert.Equal(0, train.ExitCode);
                    _path = path;
                }

                return _path;
            }
        }

        public void Dispose() => _folder.Dispose();
    }

    [Theory]
    [InlineData("predict", "INT", 1)]
    [InlineData("predict", "TERM", 1)]
    [InlineData("predict", "INT", 3)]
    [InlineData("evaluate", "INT", 1)]
    [InlineData("evaluate", "TERM", 1)]
    [InlineData("evaluate", "INT", 3)]
    [InlineData("compare", "INT", 1)]
    public async Task A_stop_signal_while_scoring_exits_130_and_writes_nothing(string command, string signal, int times)
    {
        string model = _model.ModelPath(_log);
        string run = Directory.CreateDirectory(Path.Combine(_model.Root, $"{command}-{signal}-{times}")).FullName;
        string temp = Directory.CreateDirectory(Path.Combine(run, "tmp")).FullName;
        string metrics = Path.Combine(run, "metrics.json");
        string[] arguments = command switch
        {
            "predict" => new[] { "predict", "--model", model, "--json", Path.Combine(_model.Data, "test") },
            "evaluate" => new[] { "evaluate", "--model", model, "--data", _model.Data, "--metrics-json", metrics },
            _ => new[] { "compare", "--model", model, "--model", model, "--data", _model.Data, "--metrics-json", metrics },
        };

        // The tool's temp folder is this test's: ML.NET's OnnxTransformer writes the model's ONNX graph (64 MB) there
        // when the model.zip is loaded, just before scoring, which is when the signal goes. The runtime's diagnostics
        // socket, which it would put there at start-up, is off.
        var environment = new Dictionary<string, string> { ["TMPDIR"] = temp, ["DOTNET_EnableDiagnostics"] = "0" };
        using var process = CliProcess.Start(_log, arguments, environment);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var watch = Stopwatch.StartNew();
        while (Graphs(temp).Length == 0 && !process.HasExited && watch.Elapsed < TimeSpan.FromMinutes(2))
        {
            Thread.Sleep(20);
        }

        Assert.False(process.HasExited, "the tool ended before its model was loaded");
        for (int i = 0; i < times; i++)
        {
            using var kill = Process.Start("kill", new[] { "-" + signal, process.Id.ToString(CultureInfo.InvariantCulture) })!;
            kill.WaitForExit();
        }

        _log.WriteLine($"{times} x SIG{signal} at {watch.Elapsed.TotalSeconds:F2} s after start");
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the tool did not stop within 2 minutes");
        _log.WriteLine($"exited at {watch.Elapsed.TotalSeconds:F2} s; exit code {process.ExitCode}");
        string stdout = await output;
        string stderr = await error;
        _log.WriteLine($"stdout: {stdout}");
        _log.WriteLine($"stderr: {stderr}");

        Assert.Equal(130, process.ExitCode);
        Assert.Contains("Stopped.", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(metrics), "a stopped command writes no metrics file");
        Assert.DoesNotContain("\"predictions\"", stdout, StringComparison.Ordinal);
        Assert.Empty(Graphs(temp));
    }

    // Files of a megabyte or more in the tool's temp folder: the model's graph (small files, such as a session id
    // written there by a native library, are not what this test is about).
    private static string[] Graphs(string temp) =>
        Directory.GetFiles(temp, "*", SearchOption.AllDirectories).Where(f => new FileInfo(f).Length >= 1 << 20).ToArray();
}
