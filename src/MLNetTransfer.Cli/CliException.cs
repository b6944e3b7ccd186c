using System;

namespace MLNetTransfer.Cli;

/// <summary>An error to print (without a stack trace) and exit with; the message names the argument, file or column at fault.</summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string message, Exception? inner = null)
        : base(message, inner) => ExitCode = exitCode;

    public int ExitCode { get; }
}
