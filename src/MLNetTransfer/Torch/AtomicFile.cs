using System;
using System.IO;

namespace MLNetTransfer.Torch;

/// <summary>
/// Replaces a file all at once: the content goes to a temporary file in the target's folder, is flushed to disk and then
/// renamed over the target, so an interruption or a failing writer leaves either the previous file or the new one, never
/// a half-written one. The rename is atomic only within one volume, hence the temporary file beside the target
/// (.NET's <c>File.Move(string, string, bool)</c> is <c>rename(2)</c> on Unix and <c>MoveFileEx</c> with
/// <c>MOVEFILE_REPLACE_EXISTING</c> on Windows).
/// </summary>
/// <remarks>
/// The command line has its own copy (MLNetTransfer.Cli.Output.AtomicFile): it uses only the library's public API,
/// and this helper is no part of that API.
/// </remarks>
internal static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/>, which gets a seekable stream over the temporary
    /// file. When <paramref name="write"/> throws, the temporary file is deleted, the target is untouched and the
    /// exception propagates.
    /// </summary>
    public static void Write(string path, Action<FileStream> write)
    {
        string full = Path.GetFullPath(path);
        string temp = TempPathFor(full);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp); // no-op when it was never created
            throw;
        }
    }

    /// <summary>A fresh temporary name beside <paramref name="fullPath"/>: hidden, and naming the process so that two writers never share one.</summary>
    internal static string TempPathFor(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
}
