using System;
using System.Collections.Generic;
using System.IO;

namespace MLNetTransfer.Scoring;

/// <summary>
/// The exported ONNX graph as a file for ML.NET's <c>ApplyOnnxModel</c>, deleted when the chain that reads it is
/// disposed, and at the latest when the process exits; a killed process's files are removed by the next one to write
/// a graph in the same folder (<see cref="OnnxLeftovers"/>).
/// </summary>
/// <remarks>
/// Why not <c>ApplyOnnxModel(..., Stream)</c>: ML.NET 5.0.1's <c>OnnxModel.CreateFromStream</c> copies the stream to a
/// file under <c>MLContext.TempFilePath</c> and opens it with <c>ownModelFile: false</c>, so that file is never deleted,
/// not even on Dispose (checked in the decompiled Microsoft.ML.OnnxTransformer 5.0.1). Every fit left a 64 MB ResNet18
/// graph in /tmp; the test suite alone left 1.4 GB per run. The path overload (<c>ownModelFile: false</c> too) reads
/// the file we give it, and <c>OnnxTransformer</c>'s SaveModel reads it again by path, so the file has to live as long
/// as the transformer: this object is owned by <see cref="OnnxChainModel"/> and deleted after the chain is disposed.
/// </remarks>
internal sealed class OnnxModelFile : IDisposable
{
    // Files of this process not yet deleted: a transformer the app never disposes still loses its file at exit.
    private static readonly HashSet<string> Live = new(StringComparer.Ordinal);
    private static bool _exitHandlerAdded;

    private OnnxModelFile(string path) => Path = path;

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    /// <summary>Writes <paramref name="onnx"/> to a new file in <paramref name="directory"/> (the chain's MLContext.TempFilePath, by default the system temp folder).</summary>
    public static OnnxModelFile Write(string directory, byte[] onnx)
    {
        // The pid in the name lets a later process remove the file if this one is killed before it can (OnnxLeftovers).
        OnnxLeftovers.SweepOnce(directory);
        string path = System.IO.Path.Combine(System.IO.Path.GetFullPath(directory), OnnxLeftovers.NewFileName());
        lock (Live)
        {
            if (!_exitHandlerAdded)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteAll();
                _exitHandlerAdded = true;
            }

            Live.Add(path);
        }

        // Written under a temporary name and renamed: a process killed half-way leaves a .partial file (swept like the
        // graphs), never a half-written graph under the name ML.NET is given. rename(2) within one folder is atomic.
        string temp = path + OnnxLeftovers.PartialSuffix;
        try
        {
            File.WriteAllBytes(temp, onnx);
            File.Move(temp, path);
        }
        catch
        {
            File.Delete(temp); // no-op when absent
            Delete(path);
            throw;
        }

        return new OnnxModelFile(path);
    }

    /// <summary>Whether the file has not been deleted yet by this object.</summary>
    public bool IsLive
    {
        get
        {
            lock (Live)
            {
                return Live.Contains(Path);
            }
        }
    }

    /// <summary>Deletes the file. Idempotent. Call after the session that reads it is disposed.</summary>
    public void Dispose() => Delete(Path);

    private static void Delete(string path)
    {
        lock (Live)
        {
            if (!Live.Remove(path))
            {
                return;
            }
        }

        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Still open elsewhere (Windows keeps open files), or its folder was removed: nothing more to do here.
        }
    }

    private static void DeleteAll()
    {
        string[] paths;
        lock (Live)
        {
            paths = new string[Live.Count];
            Live.CopyTo(paths);
        }

        foreach (var path in paths)
        {
            Delete(path);
        }
    }
}
