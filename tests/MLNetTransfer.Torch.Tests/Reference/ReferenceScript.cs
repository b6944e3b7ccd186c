using System;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Security.Cryptography;

namespace MLNetTransfer.Torch.Tests.Reference;

/// <summary>
/// Runs a reference script of <c>tests/reference</c> once per script version and returns the folder it wrote: the
/// shared machinery of <see cref="TorchvisionReferences"/>, <see cref="Metrics.MetricReferences"/> and
/// <see cref="Data.TorchvisionTransformTests.References"/>.
/// </summary>
/// <remarks>
/// The folder is <c>$TMPDIR/mlnettransfer-refs/&lt;prefix&gt;&lt;first 16 hex of the script's SHA-256&gt;</c>. A later
/// run, in this process or another, reuses it when its <c>done</c> marker exists, and editing the script changes the
/// folder. The script writes into a private staging folder that is renamed into place when complete, so two test
/// processes never see half-written files. The interpreter is <c>$MLNETTRANSFER_PYTHON</c> or Debian's
/// <c>/usr/bin/python3</c>; it is called as <c>python SCRIPT OUTPUT_DIRECTORY</c>.
/// </remarks>
internal static class ReferenceScript
{
    /// <summary>
    /// The folder holding what <paramref name="scriptRelativePath"/> (relative to the repository root) wrote, running it
    /// first if no complete folder exists yet.
    /// </summary>
    /// <param name="scriptRelativePath">The script, relative to the repository root.</param>
    /// <param name="cacheFolderPrefix">Put before the hash in the folder name ("" or e.g. "metrics-").</param>
    /// <param name="installHint">Appended to failure messages: what to install to make the script run.</param>
    /// <param name="timeout">How long the script may run before it is killed.</param>
    public static string Run(string scriptRelativePath, string cacheFolderPrefix, string installHint, TimeSpan timeout)
    {
        string script = FindScript(scriptRelativePath);
        byte[] hash = SHA256.HashData(File.ReadAllBytes(script));
        string root = Path.Combine(Path.GetTempPath(), "mlnettransfer-refs");
        string target = Path.Combine(root, cacheFolderPrefix + Convert.ToHexString(hash, 0, 8).ToLowerInvariant());
        if (File.Exists(Path.Combine(target, "done")))
        {
            return target;
        }

        Directory.CreateDirectory(root);
        string staging = $"{target}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            RunScript(script, staging, installHint, timeout);
            File.WriteAllText(Path.Combine(staging, "done"), $"{script}{Environment.NewLine}");
            try
            {
                Directory.Move(staging, target);
            }
            catch (IOException) when (File.Exists(Path.Combine(target, "done")))
            {
                // Another test process finished first; its files are the same (the scripts are deterministic).
            }
            catch (IOException)
            {
                // A folder without the marker is debris (e.g. a copy made by hand); replace it.
                Directory.Delete(target, recursive: true);
                Directory.Move(staging, target);
            }
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        return target;
    }

    private static void RunScript(string script, string outputDirectory, string hint, TimeSpan timeout)
    {
        string python = Environment.GetEnvironmentVariable("MLNETTRANSFER_PYTHON") is { Length: > 0 } configured
            ? configured
            : "/usr/bin/python3";

        var start = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(outputDirectory);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{python}'. {hint}");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start '{python}' to run {script}: {e.Message}. {hint}", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"'{python} {script}' did not finish within {timeout}.");
            }

            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"'{python} {script} {outputDirectory}' failed with exit code {process.ExitCode}.{Environment.NewLine}" +
                    $"stderr:{Environment.NewLine}{stderr.Result}{Environment.NewLine}stdout:{Environment.NewLine}{stdout.Result}{Environment.NewLine}{hint}");
            }
        }
    }

    /// <summary>Walks up from the test assembly to the repository root, which holds the script.</summary>
    private static string FindScript(string scriptRelativePath)
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, scriptRelativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"Could not find {scriptRelativePath} above {AppContext.BaseDirectory}.");
    }
}
