using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNetTransfer.Data;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using MLNetTransfer.Torch.Data;
using SkiaSharp;
using Xunit;

namespace MLNetTransfer.Tests.Data;

/// <summary>
/// The image gate: files that lie about their size, end early, are not images or are too small are refused, named,
/// before anything is trained; a sound file passes.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class ImageGateTests : IDisposable
{
    private readonly TempDataFolder _folder = new();
    private readonly byte[] _png = SyntheticChestXrays.EncodePng(SyntheticChestXrays.Generate(1, 64, seed: 3).Single());

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_sound_png_and_jpeg_pass()
    {
        Assert.Null(ImageFileCheck.Problem(Write("ok.png", _png), ImageFileCheck.DefaultMaxPixels, 56));
        Assert.Null(ImageFileCheck.Problem(Write("ok.jpg", Jpeg()), ImageFileCheck.DefaultMaxPixels, 56));
    }

    [Fact]
    public void A_header_that_claims_20000_by_20000_is_refused_before_decoding()
    {
        // The real 64 px image's IHDR rewritten to 20000 x 20000, with a valid CRC: the file stays a few KB.
        var bomb = (byte[])_png.Clone();
        BinaryPrimitives.WriteInt32BigEndian(bomb.AsSpan(16), 20000);
        BinaryPrimitives.WriteInt32BigEndian(bomb.AsSpan(20), 20000);
        BinaryPrimitives.WriteUInt32BigEndian(bomb.AsSpan(29), Crc32.Compute(bomb.AsSpan(12, 17)));
        long before = GC.GetAllocatedBytesForCurrentThread();
        string? problem = ImageFileCheck.Problem(Write("bomb.png", bomb), ImageFileCheck.DefaultMaxPixels, 0);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.NotNull(problem);
        Assert.Contains("20000x20000", problem);
        Assert.Contains("MaxImagePixels", problem);
        Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated to refuse it");
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpg")]
    public void A_file_cut_in_half_is_refused(string format)
    {
        byte[] whole = format == "png" ? _png : Jpeg();
        string? problem = ImageFileCheck.Problem(Write("cut." + format, whole[..(whole.Length / 2)]), ImageFileCheck.DefaultMaxPixels, 0);
        Assert.NotNull(problem);
        Assert.Contains("truncated", problem);
    }

    [Fact]
    public void Text_an_empty_file_a_folder_and_a_missing_file_are_refused_each_with_its_reason()
    {
        Assert.Contains("not a PNG or JPEG", ImageFileCheck.Problem(Write("page.png", "<html>"u8.ToArray()), ImageFileCheck.DefaultMaxPixels, 0));
        Assert.Contains("empty", ImageFileCheck.Problem(Write("empty.png", Array.Empty<byte>()), ImageFileCheck.DefaultMaxPixels, 0));
        Assert.Contains("folder", ImageFileCheck.Problem(_folder.Root, ImageFileCheck.DefaultMaxPixels, 0));
        Assert.Contains("does not exist", ImageFileCheck.Problem(Path.Combine(_folder.Root, "gone.png"), ImageFileCheck.DefaultMaxPixels, 0));
    }

    [Fact]
    public void An_image_smaller_than_the_crop_is_refused_and_the_pixel_budget_is_the_users()
    {
        string file = Write("small.png", _png);
        Assert.Contains("smaller than the 112 px crop", ImageFileCheck.Problem(file, ImageFileCheck.DefaultMaxPixels, 112));
        Assert.Contains("over the limit of 1,000", ImageFileCheck.Problem(file, 1000, 0));
    }

    [Fact]
    public void FineTuneResNet_refuses_every_bad_file_by_name_before_training()
    {
        using var images = new SyntheticFolder(24, 64, seed: 5);
        var first = Path.Combine(images.Root, images.Rows[0].ImagePath);
        var third = Path.Combine(images.Root, images.Rows[2].ImagePath);
        File.WriteAllBytes(first, File.ReadAllBytes(first)[..100]);
        File.WriteAllText(third, "not an image");
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(images.Rows.Select(r => new SyntheticFolder.Row { ImagePath = Path.Combine(images.Root, r.ImagePath), Label = r.Label, Patient = r.Patient }));
        int epochs = 0;
        var options = new ResNetFineTuneTrainer.Options
        {
            ImageColumnName = nameof(SyntheticFolder.Row.ImagePath),
            Strategy = FreezeStrategy.FeatureExtraction,
            Augmentation = AugmentationOptions.EvalOnly(64, 56),
            Epochs = 1,
            MetricsCallback = _ => epochs++,
        };
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.FineTuneResNet(options));
        var e = Assert.Throws<ImageFileException>(() => pipeline.Fit(data));
        Assert.Equal(new[] { first, third }, e.Problems.Select(p => p.Key).ToArray());
        Assert.Contains(first, e.Message);
        Assert.Contains("truncated", e.Problems[0].Value);
        Assert.Equal(0, epochs);
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_folder.Root, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private byte[] Jpeg()
    {
        using var bitmap = SKBitmap.Decode(_png);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }
}
