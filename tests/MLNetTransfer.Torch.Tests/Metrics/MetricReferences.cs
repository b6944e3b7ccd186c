using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading;

namespace MLNetTransfer.Torch.Tests.Metrics;

/// <summary>
/// Metric and loss values computed by scikit-learn 1.2 and PyTorch 1.13 (<c>tests/reference/make_metric_references.py</c>)
/// on seeded cases, read from its <c>metrics.json</c>. Use as an xunit class fixture.
/// </summary>
/// <remarks>
/// Same scheme as <see cref="Reference.TorchvisionReferences"/>: the script runs once per script version into
/// <c>$TMPDIR/mlnettransfer-refs/metrics-&lt;first 16 hex of its SHA-256&gt;</c> (staged, then renamed into place), with
/// <c>$MLNETTRANSFER_PYTHON</c> or Debian's <c>/usr/bin/python3</c> (python3-sklearn, python3-torch). JSON has no NaN,
/// so the script writes null for it and <see cref="Floats"/> reads null back as NaN.
/// </remarks>
public sealed class MetricReferences
{
    /// <summary>The script, relative to the repository root.</summary>
    public const string ScriptRelativePath = "tests/reference/make_metric_references.py";

    private static readonly TimeSpan _scriptTimeout = TimeSpan.FromMinutes(5);

    private static readonly Lazy<JsonDocument> _document = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Generates the file on first use (in this process), then reuses it.</summary>
    public MetricReferences()
    {
        Root = _document.Value.RootElement;
    }

    /// <summary>The whole metrics.json.</summary>
    public JsonElement Root { get; }

    /// <summary>The cases of one section ("binary_auc", "cross_entropy", ...).</summary>
    public IReadOnlyList<JsonElement> Cases(string section)
    {
        var cases = Root.GetProperty(section).EnumerateArray().ToList();
        return cases.Count > 0 ? cases : throw new InvalidDataException($"metrics.json has no '{section}' cases.");
    }

    /// <summary>A JSON array of numbers as float32 (null → NaN).</summary>
    public static float[] Floats(JsonElement array) =>
        array.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? float.NaN : (float)v.GetDouble()).ToArray();

    /// <summary>A JSON array of numbers as doubles (null → NaN).</summary>
    public static double[] Doubles(JsonElement array) =>
        array.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble()).ToArray();

    /// <summary>A JSON number, or NaN for null.</summary>
    public static double Double(JsonElement value) => value.ValueKind == JsonValueKind.Null ? double.NaN : value.GetDouble();

    /// <summary>A JSON array of integers.</summary>
    public static int[] Ints(JsonElement array) => array.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    /// <summary>A JSON array of booleans.</summary>
    public static bool[] Bools(JsonElement array) => array.EnumerateArray().Select(v => v.GetBoolean()).ToArray();

    /// <summary>A case's "name", or its index when it has none.</summary>
    public static string NameOf(JsonElement @case, int index) =>
        @case.TryGetProperty("name", out JsonElement name) ? name.GetString()! : $"#{index}";

    private static JsonDocument Load()
    {
        string directory = Generate();
        return JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "metrics.json")));
    }

    private static string Generate()
    {
        string script = FindScript();
        byte[] hash = SHA256.HashData(File.ReadAllBytes(script));
        string root = Path.Combine(Path.GetTempPath(), "mlnettransfer-refs");
        string target = Path.Combine(root, "metrics-" + Convert.ToHexString(hash, 0, 8).ToLowerInvariant());
        if (File.Exists(Path.Combine(target, "done")))
        {
            return target;
        }

        Directory.CreateDirectory(root);
        string staging = $"{target}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            RunScript(script, staging);
            File.WriteAllText(Path.Combine(staging, "done"), $"{script}{Environment.NewLine}");
            try
            {
                Directory.Move(staging, target);
            }
            catch (IOException) when (File.Exists(Path.Combine(target, "done")))
            {
                // Another test process finished first; its file is the same (the script is seeded).
            }
            catch (IOException)
            {
                // A folder without the marker is debris; replace it.
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

    private static void RunScript(string script, string outputDirectory)
    {
        string python = Environment.GetEnvironmentVariable("MLNETTRANSFER_PYTHON") is { Length: > 0 } configured
            ? configured
            : "/usr/bin/python3";
        const string Hint =
            "The metric references need Python with scikit-learn and PyTorch: on Debian/Ubuntu run " +
            "'apt-get install -y python3-sklearn python3-torch', or point MLNETTRANSFER_PYTHON at an interpreter that has them.";

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
            process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{python}'. {Hint}");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start '{python}' to run {script}: {e.Message}. {Hint}", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(_scriptTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"'{python} {script}' did not finish within {_scriptTimeout}.");
            }

            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"'{python} {script} {outputDirectory}' failed with exit code {process.ExitCode}.{Environment.NewLine}" +
                    $"stderr:{Environment.NewLine}{stderr.Result}{Environment.NewLine}stdout:{Environment.NewLine}{stdout.Result}{Environment.NewLine}{Hint}");
            }
        }
    }

    /// <summary>Walks up from the test assembly to the repository root, which holds the script.</summary>
    private static string FindScript()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, ScriptRelativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"Could not find {ScriptRelativePath} above {AppContext.BaseDirectory}.");
    }
}
