using System.IO;
using System.IO.Compression;
using Microsoft.ML;
using MLNetTransfer.Tests.Shared;
using Xunit;

namespace MLNetTransfer.Tests.Scoring;

/// <summary>
/// <c>ml.Model.ExtractOnnx</c> and <c>LoadCalibration</c> on files that are not a fine-tuned model.zip: an error that
/// names the file, never a crash or a silent default. (The round trip of a real model is in ValidatedModelIsShippedTests.)
/// </summary>
public sealed class ModelFileCatalogTests
{
    [Fact]
    public void A_file_that_is_not_a_zip_is_named()
    {
        using var folder = new TempDataFolder();
        string path = Path.Combine(folder.Root, "model.zip");
        File.WriteAllText(path, "not a zip");
        var e = Assert.Throws<InvalidDataException>(() => new MLContext().Model.ExtractOnnx(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_zip_without_an_onnx_graph_is_named()
    {
        using var folder = new TempDataFolder();
        string path = Path.Combine(folder.Root, "other.zip");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(zip.CreateEntry("Model/Version.txt").Open());
            writer.Write("1");
        }

        var e = Assert.Throws<InvalidDataException>(() => new MLContext().Model.LoadCalibration(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("0 ONNX graphs", e.Message);
    }

    [Fact]
    public void A_graph_stream_cut_short_is_named()
    {
        using var folder = new TempDataFolder();
        string path = Path.Combine(folder.Root, "cut.zip");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var writer = new BinaryWriter(zip.CreateEntry("TransformerChain/Transform_0/OnnxModel").Open());
            writer.Write(1000);
            writer.Write(new byte[10]);
        }

        var e = Assert.Throws<InvalidDataException>(() => new MLContext().Model.ExtractOnnx(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("1000 bytes", e.Message);
    }
}
