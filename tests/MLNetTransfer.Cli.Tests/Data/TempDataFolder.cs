using System;
using System.IO;
using System.Linq;
using MLNetTransfer.SyntheticData;

namespace MLNetTransfer.Cli.Tests.Data;

/// <summary>A throwaway folder for data set fixtures, deleted when disposed.</summary>
internal sealed class TempDataFolder : IDisposable
{
    // The reader never decodes images, so most fixtures are a few placeholder bytes; Png() writes a real image where
    // a test wants the folder to look like the real thing.
    private static readonly byte[] Placeholder = { 0x89, (byte)'P', (byte)'N', (byte)'G' };

    public TempDataFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "mlnettransfer-cli-data-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>Writes placeholder bytes at <paramref name="relative"/> and returns the absolute path.</summary>
    public string File(string relative) => Write(relative, Placeholder);

    /// <summary>Writes a real 32 × 32 gray PNG from the synthetic generator.</summary>
    public string Png(string relative, int seed = 1) =>
        Write(relative, SyntheticChestXrays.EncodePng(SyntheticChestXrays.Generate(1, 32, seed).Single()));

    /// <summary>Writes <paramref name="text"/> (e.g. a CSV file) and returns the absolute path.</summary>
    public string Text(string relative, string text)
    {
        string path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

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
        string path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }
}
