using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNetTransfer.SyntheticData;

namespace MLNetTransfer.Bench.Scoring;

/// <summary>A temporary folder of synthetic chest X-ray PNGs (8-bit gray) and rows with their relative paths.</summary>
internal sealed class ImageSet : IDisposable
{
    public sealed class Row
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";
    }

    public ImageSet(int count, int size, int seed)
    {
        Root = Directory.CreateTempSubdirectory("mlnettransfer-scoringbench-").FullName;
        var images = SyntheticChestXrays.Generate(count, size, seed, difficulty: 0.3).ToList();
        SyntheticChestXrays.WriteSplit(Root, images);
        Rows = images.Select(image => new Row
        {
            ImagePath = Path.Combine(SyntheticChestXrays.ClassNames[image.Opacity ? 1 : 0], image.Name + ".png"),
            Label = SyntheticChestXrays.ClassNames[image.Opacity ? 1 : 0],
        }).ToList();
        Size = size;
    }

    public string Root { get; }

    public int Size { get; }

    public List<Row> Rows { get; }

    public IDataView ScoringData(MLContext ml, int? take = null) =>
        ml.Data.LoadFromEnumerable(take is { } n ? Rows.Take(n).ToList() : Rows);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
