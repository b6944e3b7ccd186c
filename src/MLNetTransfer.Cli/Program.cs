using System;
using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace MLNetTransfer.Cli;

/// <summary>The <c>mlnet-transfer</c> .NET tool.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        // Numbers on the command line (--lr 0.001), in the metrics file and on the console are invariant: under de-DE,
        // System.CommandLine would read "0.001" as 1 (the '.' is a group separator there).
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        if (Console.IsOutputRedirected)
        {
            // Redirected to a file or a pipe, Spectre.Console assumes 80 columns and wraps tables and epoch lines.
            AnsiConsole.Profile.Width = 160;
        }

        // Ctrl+C and SIGTERM cancel the actions' token (StopSignals); System.CommandLine's own handling is off, since
        // after its ProcessTerminationTimeout it returns while TorchSharp or ONNX Runtime may still be running.
        using var stop = StopSignals.Register();
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null };
        // ML.NET's temporary graph files go to this process's own folder (ProcessTempFolder): the folders of killed
        // processes are removed here, this one's when the command ends.
        ProcessTempFolder.SweepDead();
        try
        {
            return Cli.Build().Parse(args).InvokeAsync(configuration, stop.Token).GetAwaiter().GetResult();
        }
        finally
        {
            ProcessTempFolder.Delete();
        }
    }
}
