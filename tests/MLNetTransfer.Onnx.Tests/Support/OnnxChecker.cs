using System;
using System.Diagnostics;
using System.IO;

namespace MLNetTransfer.Onnx.Tests.Support;

/// <summary>
/// ONNX's own checker, <c>onnx.checker.check_model(model, full_check=True)</c> (which also runs strict shape
/// inference), from Debian's python3-onnx 1.12 through <c>/usr/bin/python3</c> (or <c>$MLNETTRANSFER_PYTHON</c>).
/// </summary>
internal static class OnnxChecker
{
    private const string CheckScript =
        "import onnx,sys; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); "
        + "print('ok', m.ir_version, [(o.domain, o.version) for o in m.opset_import])";

    public static string Python => Environment.GetEnvironmentVariable("MLNETTRANSFER_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";

    /// <summary>Writes <paramref name="model"/> to a temporary file and checks it; the file is removed afterwards.</summary>
    public static (int ExitCode, string StdOut, string StdErr) Check(byte[] model, string label)
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnettransfer-onnx-tests");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, $"{label}-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllBytes(path, model);
            return RunPython(CheckScript, path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Runs <c>python -c <paramref name="script"/> args…</c> and returns its exit code and output.</summary>
    public static (int ExitCode, string StdOut, string StdErr) RunPython(string script, params string[] args)
    {
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {Python}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Python} did not finish within 3 minutes.");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
