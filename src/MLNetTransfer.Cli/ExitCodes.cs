namespace MLNetTransfer.Cli;

/// <summary>The exit codes of <c>mlnet-transfer</c>, as README.md lists them.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Wrong or missing arguments (System.CommandLine's parse errors use 1 too).</summary>
    public const int Usage = 1;

    /// <summary>The data: a missing folder or file, an unreadable CSV, a bad label, an image that cannot be read.</summary>
    public const int DataError = 2;

    /// <summary>The model file: missing, not a model, or not one of ours.</summary>
    public const int ModelError = 3;

    /// <summary>Anything else failed: training diverged, weights that do not fit the architecture, a checkpoint that does not match.</summary>
    public const int Failed = 4;

    /// <summary>Ctrl+C: stopped; with --checkpoint-dir, --resume continues.</summary>
    public const int Canceled = 130;
}
