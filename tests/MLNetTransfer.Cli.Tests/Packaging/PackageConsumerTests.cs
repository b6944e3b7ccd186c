using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using System.Xml.Linq;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Packaging;

/// <summary>
/// The library as a user meets it (issue 15, item 8): <c>dotnet pack</c> to a local folder; a fresh console app with a
/// generated nuget.config adds MLNetTransfer from that folder and TorchSharp-cpu with <c>dotnet add package</c>, and
/// its Program.cs is README.md's pipeline block on tiny data, which trains, saves model.zip and writes the test
/// images' scores; a second fresh app that references only Microsoft.ML, ImageAnalytics, OnnxTransformer and ONNX
/// Runtime runs samples/ScoreInExistingApp's Program.cs on that model.zip and the same images, and must give the same
/// scores. Package versions are read from Directory.Packages.props, so a version change there flows through.
/// </summary>
[Collection("NoParallelization")]
public sealed class PackageConsumerTests
{
    private readonly ITestOutputHelper _output;

    public PackageConsumerTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task A_fresh_app_trains_from_the_packed_package_and_a_scoring_only_app_gives_the_same_scores()
    {
        var clock = Stopwatch.StartNew();
        string repo = ReadmePipeline.RepositoryRoot(AppContext.BaseDirectory);
        var versions = XDocument.Load(Path.Combine(repo, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!);
        // A version of its own, so that the NuGet cache never serves a package packed from other sources.
        string version = $"0.0.0-consumer.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        string root = Path.Combine(Path.GetTempPath(), $"mlnettransfer-consumer-{Guid.NewGuid():N}");
        string feed = Path.Combine(root, "feed"), data = Path.Combine(root, "chest_xray"), model = Path.Combine(root, "model.zip");
        Directory.CreateDirectory(root);
        try
        {
            // The local folder next to the sources this machine's NuGet is configured with (user-level NuGet.Config,
            // which this file adds to, as `dotnet nuget list source` shows them).
            File.WriteAllText(Path.Combine(root, "nuget.config"),
                $"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n    <add key=\"mlnettransfer-local\" value=\"{feed}\" />\n  </packageSources>\n</configuration>\n");
            // Hard links instead of copies of libtorch (about 1.2 GB for TorchSharp-cpu's five platforms), as the
            // repository's own builds do: disk, not behaviour.
            File.WriteAllText(Path.Combine(root, "Directory.Build.props"),
                "<Project>\n  <PropertyGroup>\n    <CreateHardLinksForCopyLocalIfPossible>true</CreateHardLinksForCopyLocalIfPossible>\n  </PropertyGroup>\n</Project>\n");
            SyntheticChestXrays.WriteDataset(data, size: 64, train: 40, validation: 8, test: 16);

            string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            await Dotnet(repo, "pack", Path.Combine(repo, "src", "MLNetTransfer", "MLNetTransfer.csproj"), "-c", configuration, "-o", feed, $"-p:PackageVersion={version}");
            Assert.True(File.Exists(Path.Combine(feed, $"MLNetTransfer.{version}.nupkg")), $"dotnet pack wrote no MLNetTransfer.{version}.nupkg to {feed}");
            _output.WriteLine($"packed in {clock.Elapsed.TotalSeconds:F0} s");

            // The scoring app does not wait for training: made and built while the trainer is.
            var scorer = MakeScorer(root, versions, repo);

            string trainer = await NewConsole(root, "trainer");
            await Dotnet(trainer, "add", "package", "MLNetTransfer", "--version", version, "--source", feed);
            await Dotnet(trainer, "add", "package", "TorchSharp-cpu", "--version", versions["TorchSharp-cpu"], "--no-restore");
            string scores = Path.Combine(root, "trainer-scores.tsv");
            File.WriteAllText(Path.Combine(trainer, "Program.cs"), ReadmePipeline.Tiny(ReadmePipeline.Block(repo), data, model) + WriteScores(scores));
            await Dotnet(trainer, "build", "-p:UseSharedCompilation=false");
            var training = await Dotnet(trainer, "run", "--no-build");
            Assert.Contains("Test AUC ", training, StringComparison.Ordinal);
            // The weights package's props reached the app through MLNetTransfer's dependency.
            Assert.True(Directory.Exists(Path.Combine(trainer, "bin", AppConfiguration, "net10.0", "DnnImageModels")), "No DnnImageModels/ beside the trainer app.");
            _output.WriteLine($"trained in {clock.Elapsed.TotalSeconds:F0} s: {training.Trim()}");

            string scorerFolder = await scorer;
            var scored = await Dotnet(scorerFolder, "run", "--no-build", "--", model, Path.Combine(data, "test"));
            var expected = Read(File.ReadAllLines(scores), scoreField: 1);
            var actual = Read(scored.Split('\n', StringSplitOptions.RemoveEmptyEntries), scoreField: 3);
            Assert.Equal(16, expected.Count);
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
            double max = expected.Max(e => e.Value.Zip(actual[e.Key], (a, b) => Math.Abs((double)a - b)).Max());
            _output.WriteLine($"{expected.Count} images; max |trainer app score - scoring app score| = {max:E2}; {clock.Elapsed.TotalSeconds:F0} s in all");
            Assert.True(max <= 1e-6, $"The two apps' scores differ by up to {max}.");
        }
        finally
        {
            TryDelete(root);
            // The packed version in the NuGet cache is this run's alone.
            string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            TryDelete(Path.Combine(packages, "mlnettransfer", version));
        }
    }

    // `dotnet build`'s default, where the apps' output is.
    private const string AppConfiguration = "Debug";

    // Only the four packages a scoring app needs, at the repository's versions; its code is the sample's.
    private async Task<string> MakeScorer(string root, IReadOnlyDictionary<string, string> versions, string repo)
    {
        string scorer = await NewConsole(root, "scorer");
        foreach (var package in new[] { "Microsoft.ML", "Microsoft.ML.ImageAnalytics", "Microsoft.ML.OnnxTransformer", "Microsoft.ML.OnnxRuntime" })
        {
            await Dotnet(scorer, "add", "package", package, "--version", versions[package], "--no-restore");
        }

        File.Copy(Path.Combine(repo, "samples", "ScoreInExistingApp", "Program.cs"), Path.Combine(scorer, "Program.cs"), overwrite: true);
        await Dotnet(scorer, "build", "-p:UseSharedCompilation=false");
        string bin = Path.Combine(scorer, "bin", AppConfiguration, "net10.0");
        Assert.DoesNotContain(Directory.EnumerateFiles(bin).Select(Path.GetFileName), f => f!.StartsWith("TorchSharp", StringComparison.Ordinal) || f.StartsWith("MLNetTransfer", StringComparison.Ordinal));
        return scorer;
    }

    private async Task<string> NewConsole(string root, string name)
    {
        await Dotnet(root, "new", "console", "-o", name, "--framework", "net10.0");
        return Path.Combine(root, name);
    }

    // After README's block: the test split's Score vectors, keyed by absolute path, in round-trip precision.
    private static string WriteScores(string path) => $$"""

        var consumerScored = model.Transform(data.TestSet!);
        System.IO.File.WriteAllLines(@"{{path}}", System.Linq.Enumerable.Zip(
            Microsoft.ML.Data.ColumnCursorExtensions.GetColumn<string>(consumerScored, "ImagePath"),
            Microsoft.ML.Data.ColumnCursorExtensions.GetColumn<float[]>(consumerScored, "Score"),
            (p, s) => p + "\t" + string.Join(" ", System.Linq.Enumerable.Select(s, v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));
        """;

    private static Dictionary<string, float[]> Read(IEnumerable<string> lines, int scoreField) => lines
        .Select(l => l.TrimEnd('\r').Split('\t'))
        .ToDictionary(f => f[0], f => f[scoreField].Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray());

    private async Task<string> Dotnet(string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host's MSBuild variables point into the test run's SDK resolution; a fresh app gets none of them.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        // No build servers or reused nodes: they would outlive the command and hold its output pipes open.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new System.Threading.CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish in 5 minutes.");
        }

        string stdout = await output, stderr = await error;
        _output.WriteLine($"dotnet {string.Join(' ', arguments)}: exit {process.ExitCode} in {clock.Elapsed.TotalSeconds:F0} s");
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} in {folder} exited {process.ExitCode}:\n{stdout}\n{stderr}");
        return stdout;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still open on a slow machine; the temp folder is cleaned up by the OS.
        }
    }
}
