using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MLNetTransfer.SyntheticData;

namespace MLNetTransfer.Tests.Shared;

/// <summary>A throwaway folder for data set fixtures, deleted when disposed.</summary>
internal sealed class TempDataFolder : IDisposable
{
    // Linked into the library's and the command line's tests. The readers never decode images, so most fixtures are a few placeholder bytes; Png() writes a real image.
    private static readonly byte[] Placeholder = { 0x89, (byte)'P', (byte)'N', (byte)'G' };

    public TempDataFolder() => Root = Directory.CreateTempSubdirectory("mlnettransfer-data-").FullName;

    public string Root { get; }

    /// <summary>Writes placeholder bytes at <paramref name="relative"/> and returns its absolute path.</summary>
    public string File(string relative) => Write(relative, Placeholder);

    /// <summary>Writes placeholder bytes at <paramref name="relative"/> and returns <paramref name="relative"/>, for a CSV cell.</summary>
    public string Image(string relative)
    {
        File(relative);
        return relative;
    }

    /// <summary>Writes a real 32 × 32 gray PNG from the synthetic generator and returns its absolute path.</summary>
    public string Png(string relative, int seed = 1) =>
        Write(relative, SyntheticChestXrays.EncodePng(SyntheticChestXrays.Generate(1, 32, seed).Single()));

    /// <summary>Writes <paramref name="text"/> and returns the absolute path.</summary>
    public string Text(string relative, string text)
    {
        string path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A CSV file of a header and lines.</summary>
    public string Csv(string relative, string header, IEnumerable<string> lines) =>
        Text(relative, string.Join("\n", new[] { header }.Concat(lines)) + "\n");

    /// <summary>Creates the folder <paramref name="relative"/> (empty) and returns its absolute path.</summary>
    public string Folder(string relative)
    {
        string path = Path.Combine(Root, relative);
        Directory.CreateDirectory(path);
        return path;
    }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not worth failing a test for.
        }
    }

    private string Write(string relative, byte[] bytes)
    {
        string path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }
}
