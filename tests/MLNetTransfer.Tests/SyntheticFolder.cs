using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MLNetTransfer.SyntheticData;

namespace MLNetTransfer.Tests;

/// <summary>A temporary folder of synthetic chest X-ray PNGs and the rows that describe them.</summary>
internal sealed class SyntheticFolder : IDisposable
{
    public sealed class Row
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";

        public string Patient { get; set; } = "";
    }

    public SyntheticFolder(int count, int size, int seed, double difficulty = 0.3)
    {
        Root = Directory.CreateTempSubdirectory("mlnettransfer-images-").FullName;
        var images = SyntheticChestXrays.Generate(count, size, seed, difficulty: difficulty).ToList();
        SyntheticChestXrays.WriteSplit(Root, images);
        Rows = images.Select((image, i) => new Row
        {
            ImagePath = Path.Combine(SyntheticChestXrays.ClassNames[image.Opacity ? 1 : 0], image.Name + ".png"),
            Label = SyntheticChestXrays.ClassNames[image.Opacity ? 1 : 0],
            Patient = $"patient{i / 2}", // two images per patient
        }).ToList();
    }

    public string Root { get; }

    public List<Row> Rows { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
