using System;
using System.IO;
using System.Linq;
using MLNetTransfer.Tests.Shared;
using MLNetTransfer.Torch.Tests.Data;
using Xunit;

namespace MLNetTransfer.Tests.HighBitDepth;

/// <summary>
/// The core's full-precision reader and the one function that makes a model's float input (issue 14, item 3), on 16-bit
/// PNGs written by an encoder of the tests' own (<see cref="PngTestWriter"/>), so the expected values are the samples
/// written, not a second decoder's.
/// </summary>
public sealed class ImageFileReaderTests
{
    [Fact]
    public void A_16_bit_png_keeps_every_bit_and_a_window_maps_stored_values_to_0_and_1()
    {
        using var dir = new TempDataFolder();
        int[] samples = { 0, 1, 255, 256, 4095, 4096, 40000, 65535 };
        string path = dir.PathOf("x.png");
        File.WriteAllBytes(path, PngTestWriter.Write(4, 2, colorType: 0, bitDepth: 16, samples));

        var full = new ImageFileReader().Read(path);
        Assert.Equal((4, 2, 1), (full.Width, full.Height, full.Channels));
        Assert.Equal(samples.Select(s => s / 65535f), full.Values);

        var windowed = new ImageFileReader(window: (0, 4095)).Read(path);
        Assert.Equal(samples.Select(s => (float)Math.Clamp(s / 4095.0, 0, 1)), windowed.Values);
        // 1 and 256 differ by less than one 8-bit level of the full range; they stay apart.
        Assert.NotEqual(full.Values[1], full.Values[3]);
    }

    [Fact]
    public void A_truncated_file_or_one_over_the_pixel_budget_is_refused_naming_it()
    {
        using var dir = new TempDataFolder();
        byte[] png = PngTestWriter.Write(64, 64, colorType: 0, bitDepth: 16, Enumerable.Range(0, 64 * 64).Select(i => i * 13 % 65536).ToArray());
        string cut = dir.PathOf("cut.png");
        File.WriteAllBytes(cut, png[..(png.Length / 2)]);
        string whole = dir.PathOf("whole.png");
        File.WriteAllBytes(whole, png);

        var truncated = Assert.Throws<InvalidDataException>(() => new ImageFileReader().Read(cut));
        Assert.Contains(cut, truncated.Message);
        Assert.NotNull(new ImageFileReader().FindProblem(cut));
        var large = Assert.Throws<InvalidDataException>(() => new ImageFileReader(maxPixels: 1000).Read(whole));
        Assert.Contains(whole, large.Message);
        Assert.Contains("over the limit", large.Message);
    }

    [Fact]
    public void A_description_reads_back_to_a_reader_with_the_same_window()
    {
        Assert.True(ImageFileReader.TryFromDescription(new ImageFileReader(window: (0, 4095)).Description, out var windowed));
        Assert.Equal((0d, 4095d), windowed.Window);
        Assert.True(ImageFileReader.TryFromDescription(new ImageFileReader().Description, out var plain));
        Assert.Null(plain.Window);
        Assert.False(ImageFileReader.TryFromDescription("dicom(frame=0, voi=none)", out _));
        Assert.False(ImageFileReader.TryFromDescription("png-jpeg(window=9..1)", out _));
    }

    [Fact]
    public void The_model_input_is_the_centre_square_in_three_equal_planes_on_the_0_to_255_scale()
    {
        // 16 wide, 32 high: the shorter side is already 16, so no resampling; the centre crop keeps rows 8 to 23, whose
        // top half is black and bottom half white.
        var values = new float[16 * 32];
        Array.Fill(values, 1f, 16 * 16, 16 * 16);
        var input = ImagePixelInput.ToModelInput(new ImagePixels(values, 16, 32, 1), 16);

        Assert.Equal(3 * 16 * 16, input.Length);
        for (int c = 1; c < 3; c++)
        {
            Assert.Equal(input[..256], input[(c * 256)..((c + 1) * 256)]);
        }

        Assert.All(input[..128], v => Assert.Equal(0f, v));
        Assert.All(input[128..256], v => Assert.Equal(255f, v));
        // Resampled to a smaller square, a constant image stays that constant.
        var grey = new float[40 * 30];
        Array.Fill(grey, 0.25f);
        Assert.All(ImagePixelInput.ToModelInput(new ImagePixels(grey, 40, 30, 1), 12), v => Assert.Equal(0.25f * 255f, v, 4));
    }
}
