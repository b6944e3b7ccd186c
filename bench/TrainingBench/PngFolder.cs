using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;

namespace MLNetTransfer.Bench.Training;

/// <summary>
/// The benchmark's images: synthetic chest X-ray PNGs in a folder per class, written once by <see cref="Write"/> and
/// read from disk by both our engine and the PyTorch script (which lists them in the same sorted order).
/// </summary>
internal static class PngFolder
{
    public static void Write(string root, int count, int size, int seed)
    {
        SyntheticChestXrays.WriteSplit(root, SyntheticChestXrays.Generate(count, size, seed));
    }

    /// <summary>The PNG paths sorted ordinally by file name (the classes interleave) with labels from the folder names (NORMAL = 0, OPACITY = 1), at most <paramref name="take"/>.</summary>
    public static FineTuneData Read(string root, int take)
    {
        var files = SyntheticChestXrays.ClassNames
            .SelectMany((name, label) => Directory.GetFiles(Path.Combine(root, name), "*.png").Select(path => (path, label)))
            .OrderBy(f => Path.GetFileName(f.path), StringComparer.Ordinal)
            .Take(take)
            .ToList();
        if (files.Count < take)
        {
            throw new ArgumentException($"'{root}' holds {files.Count} PNGs; {take} were asked for.");
        }

        return FineTuneData.SingleLabel(files.Select(f => ImageSource.FromFile(f.path)).ToList(), files.Select(f => f.label).ToList(), classes: 2);
    }

    /// <summary>The resize that keeps torchvision's 256 → 224 ratio for a crop: 224 → 256, 128 → 146.</summary>
    public static int ResizeFor(int crop) => (int)Math.Round(crop * 256.0 / 224.0);
}
