using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using MLNetTransfer.Tests.Shared;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests;

/// <summary>Runs the built <c>mlnet-transfer</c> as a separate process, as a newcomer would, and returns what it printed.</summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(ITestOutputHelper log, params string[] arguments) => Run(log, (IEnumerable<string>)arguments);

    /// <param name="log">The test's output.</param>
    /// <param name="arguments">The tool's arguments.</param>
    /// <param name="environment">Variables to set for the tool's process (e.g. a locale).</param>
    public static Result Run(ITestOutputHelper log, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Start(log, arguments, environment);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("mlnet-transfer did not finish in 5 minutes.");
        }

        var result = new Result(process.ExitCode, output.Result, error.Result);
        log.WriteLine(result.Output);
        log.WriteLine($"exit code {result.ExitCode}; stderr: {result.Error.Trim()}");
        return result;
    }

    /// <summary>Starts the tool with its output redirected; the caller reads it and waits.</summary>
    public static Process Start(ITestOutputHelper log, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ToolDll());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        log.WriteLine($"$ mlnet-transfer {string.Join(" ", start.ArgumentList)}");
        return Process.Start(start)!;
    }

    private static string ToolDll() => BuiltApp.Dll("src/MLNetTransfer.Cli", "mlnet-transfer.dll");
}
