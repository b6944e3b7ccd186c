using System;
using Spectre.Console;

namespace MLNetTransfer.Cli;

/// <summary>The <c>mlnet-transfer</c> .NET tool.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (Console.IsOutputRedirected)
        {
            // Redirected to a file or a pipe, Spectre.Console assumes 80 columns and wraps tables and epoch lines.
            AnsiConsole.Profile.Width = 160;
        }

        return Cli.Build().Parse(args).Invoke();
    }
}
