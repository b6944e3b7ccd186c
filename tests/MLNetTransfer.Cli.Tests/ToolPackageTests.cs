using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Runtime.InteropServices;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests;

/// <summary>
/// The mlnet-transfer tool package (issue 15, item 4; src/MLNetTransfer.Cli/build/ToolPackage.targets): packed by the
/// SDK as a RID-specific package for this machine's platform plus the pointer package, installed by
/// <c>dotnet tool install</c> from that folder alone, and run. The package must stay under 350 MB, carry the ResNet18
/// weights once, where the tool looks for them, and no other platform's native libraries or libtorch_python.
/// Packing writes about 600 MB and takes 2-6 minutes on 2 cores, so the test runs only with MLNETTRANSFER_PACK_TESTS=1.
/// </summary>
[Collection("NoParallelization")]
public sealed class ToolPackageTests : IDisposable
{
    private const long MaxPackageBytes = 350L * 1000 * 1000;

    private readonly ITestOutputHelper _log;
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("mlnettransfer-toolpack-");

    public ToolPackageTests(ITestOutputHelper log) => _log = log;

    public void Dispose() => _temp.Delete(recursive: true);

    [PackFact]
    public void The_packed_tool_is_small_has_one_copy_of_the_weights_and_trains_and_predicts_once_installed()
    {
        string rid = RuntimeInformation.RuntimeIdentifier;
        Assert.Contains(rid, new[] { "linux-x64", "win-x64", "osx-arm64" });
        string feed = Path.Combine(_temp.FullName, "feed");

        // Only this machine's platform (the others are packed the same way), into a folder of its own. The test
        // project's build restored the CLI for all its platforms, so pack does not restore it again with fewer.
        var pack = Run("dotnet", RepoRoot(), "pack", "src/MLNetTransfer.Cli", "-c", "Release", "-o", feed, "--no-restore",
            $"-p:ToolPackageRuntimeIdentifiers={rid}", "-nodeReuse:false", "-p:UseSharedCompilation=false");
        Assert.True(pack.ExitCode == 0, pack.Output);

        var ridPackage = new FileInfo(Assert.Single(Directory.GetFiles(feed, $"MLNetTransfer.Cli.{rid}.*.nupkg")));
        string pointerPackage = Assert.Single(Directory.GetFiles(feed, "MLNetTransfer.Cli.*.nupkg"), p => p != ridPackage.FullName);
        _log.WriteLine($"{ridPackage.Name}: {ridPackage.Length:N0} bytes");
        Assert.True(ridPackage.Length < MaxPackageBytes, $"{ridPackage.Name} is {ridPackage.Length:N0} bytes, over {MaxPackageBytes:N0}");

        using (var zip = ZipFile.OpenRead(ridPackage.FullName))
        {
            var names = zip.Entries.Select(e => e.FullName).ToList();
            // Once, in DnnImageModels/ beside the tool's dll: MLNetResNet18.DefaultModelDirectory.
            Assert.Equal($"tools/net10.0/{rid}/DnnImageModels/ResNet18Onnx/ResNet18.onnx",
                Assert.Single(names, n => n.EndsWith("/ResNet18.onnx", StringComparison.Ordinal)));
            Assert.Contains($"tools/net10.0/{rid}/mlnet-transfer.dll", names);
            Assert.DoesNotContain(names, n => n.StartsWith("content", StringComparison.Ordinal));
            // A RID-specific publish puts its own platform's natives beside the dll; no runtimes/<other rid>/ folder.
            Assert.DoesNotContain(names, n => n.Contains("/runtimes/", StringComparison.Ordinal));
            foreach (string unwanted in new[] { "libtorch_python", "onnxruntime.aar", "onnxruntime.xcframework", "libtorchbind_test" })
            {
                Assert.DoesNotContain(names, n => n.Contains(unwanted, StringComparison.Ordinal));
            }
        }

        string version;
        using (var zip = ZipFile.OpenRead(pointerPackage))
        {
            var nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            version = nuspec.Descendants().Single(e => e.Name.LocalName == "version").Value;
            var settings = XDocument.Load(zip.GetEntry("tools/any/any/DotnetToolSettings.xml")!.Open());
            Assert.Contains(settings.Descendants().Where(e => e.Name.LocalName == "RuntimeIdentifierPackage"),
                e => (string?)e.Attribute("RuntimeIdentifier") == rid && (string?)e.Attribute("Id") == $"MLNetTransfer.Cli.{rid}");
        }

        // Installed from that folder only, as README.md shows, then run as a user would.
        string config = Path.Combine(_temp.FullName, "nuget.config");
        File.WriteAllText(config,
            $"<configuration><packageSources><clear /><add key=\"toolpack\" value=\"{feed}\" /></packageSources></configuration>");
        string tools = Path.Combine(_temp.FullName, "tools");
        var install = Run("dotnet", _temp.FullName, "tool", "install", "--tool-path", tools, "--configfile", config,
            "MLNetTransfer.Cli", "--version", version);
        Assert.True(install.ExitCode == 0, install.Output);

        string tool = Path.Combine(tools, OperatingSystem.IsWindows() ? "mlnet-transfer.exe" : "mlnet-transfer");
        string demo = Path.Combine(_temp.FullName, "demo");
        var train = Run(tool, _temp.FullName, "demo", "--output-dir", demo, "--epochs", "1", "--train-images", "24");
        Assert.True(train.ExitCode == 0, train.Output);
        Assert.True(File.Exists(Path.Combine(demo, "model.zip")));

        string image = Directory.EnumerateFiles(Path.Combine(demo, "data", "test"), "*.png", SearchOption.AllDirectories).First();
        var predict = Run(tool, _temp.FullName, "predict", "--model", Path.Combine(demo, "model.zip"), "--json", image);
        Assert.True(predict.ExitCode == 0, predict.Output);
        Assert.Contains(Path.GetFileName(image), predict.Output);
    }

    private sealed record Result(int ExitCode, string Output);

    private Result Run(string program, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program == "dotnet" ? Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet" : program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host's MSBuild variables (set by `dotnet test`) would point a nested `dotnet pack` at the wrong SDK parts.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        _log.WriteLine($"$ {program} {string.Join(" ", arguments)}");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(15)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {arguments[0]} did not finish in 15 minutes.");
        }

        string text = output.Result + error.Result;
        _log.WriteLine(text.Length > 4000 ? text[^4000..] : text);
        return new Result(process.ExitCode, text);
    }

    private static string RepoRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "MLNetTransfer.sln")))
        {
            folder = folder.Parent;
        }

        Assert.True(folder is not null, $"No MLNetTransfer.sln above {AppContext.BaseDirectory}");
        return folder!.FullName;
    }

    /// <summary>A fact that runs only when MLNETTRANSFER_PACK_TESTS is 1: packing takes minutes and writes about 1 GB.</summary>
    private sealed class PackFactAttribute : FactAttribute
    {
        public PackFactAttribute()
        {
            if (Environment.GetEnvironmentVariable("MLNETTRANSFER_PACK_TESTS") != "1")
            {
                Skip = "Packs and installs the tool (minutes): set MLNETTRANSFER_PACK_TESTS=1 to run it.";
            }
        }
    }
}
