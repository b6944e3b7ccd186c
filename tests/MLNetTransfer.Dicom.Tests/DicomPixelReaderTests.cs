using System;
using System.IO;
using System.Linq;
using SkiaSharp;
using Xunit;

namespace MLNetTransfer.Dicom.Tests;

/// <summary>
/// The reader's options and file handling on pydicom's test files and the reference script's synthetic files; expected
/// values come from pydicom (<see cref="PydicomReferences"/>).
/// </summary>
public sealed class DicomPixelReaderTests(PydicomReferences references) : IClassFixture<PydicomReferences>
{
    private static string TestFile(PydicomReferences references, string name) =>
        references.All.First(c => c.Name == name).Path;

    /// <summary>pydicom's values of a case scaled to [0, 1] as the reader scales them.</summary>
    private static float[] Expected(PydicomReferences.Case c, bool invert) =>
        c.Values.Select(v =>
        {
            double unit = Math.Clamp((v - c.Low) / (c.High - c.Low), 0, 1);
            return (float)(invert ? 1 - unit : unit);
        }).ToArray();

    [Fact]
    public void Monochrome1_is_inverted_after_the_window()
    {
        PydicomReferences.Case c = references.Named("dicomdirtests/77654033/CR1/6154");
        Assert.Equal("MONOCHROME1", c.Photometric);
        float[] pixels = new DicomPixelReader().Read(c.Path).Values;

        Assert.Equal(Expected(c, invert: true), pixels);
        Assert.NotEqual(Expected(c, invert: false), pixels);
        // The lowest windowed value (least attenuation on a MONOCHROME1 CR) is the brightest output.
        int darkest = Array.IndexOf(c.Values, c.Values.Min());
        Assert.Equal(pixels.Max(), pixels[darkest]);
    }

    [Fact]
    public void WindowIndex_picks_the_pair_and_an_explicit_window_overrides_the_file()
    {
        PydicomReferences.Case first = references.Named("synthetic/two_windows.dcm [window 0]");
        PydicomReferences.Case second = references.Named("synthetic/two_windows.dcm [window 1]");
        PydicomReferences.Case custom = references.Named("synthetic/two_windows.dcm [window 50/350]");

        float[] index0 = new DicomPixelReader().Read(first.Path).Values;
        float[] index1 = new DicomPixelReader(new DicomReadOptions { WindowIndex = 1 }).Read(first.Path).Values;
        float[] explicitWindow = new DicomPixelReader(new DicomReadOptions { Window = new DicomWindow(50, 350), WindowIndex = 1 }).Read(first.Path).Values;

        Assert.Equal(Expected(first, invert: false), index0);
        Assert.Equal(Expected(second, invert: false), index1);
        Assert.Equal(Expected(custom, invert: false), explicitWindow);
        Assert.NotEqual(index0, index1);

        var reader = new DicomPixelReader(new DicomReadOptions { WindowIndex = 2 });
        Assert.Equal("has 2 Window Center/Width pair(s); DicomReadOptions.WindowIndex 2 (0-based) does not exist", reader.FindProblem(first.Path));
        var error = Assert.Throws<InvalidDataException>(() => reader.Read(first.Path));
        Assert.Contains(first.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("2 Window Center/Width pair(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("WindowIndex 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_voi_scales_the_modality_range_and_prefer_lut_false_takes_the_window()
    {
        PydicomReferences.Case noVoi = references.Named("synthetic/two_windows.dcm [no VOI]");
        PydicomReferences.Case window = references.Named("synthetic/voi_lut.dcm [index 0, prefer_lut=False]");
        PydicomReferences.Case lut = references.Named("synthetic/voi_lut.dcm [index 0, prefer_lut=True]");

        Assert.Equal(Expected(noVoi, invert: false), new DicomPixelReader(new DicomReadOptions { ApplyVoi = false }).Read(noVoi.Path).Values);
        Assert.Equal(Expected(window, invert: false), new DicomPixelReader(new DicomReadOptions { PreferVoiLut = false }).Read(window.Path).Values);
        Assert.Equal(Expected(lut, invert: false), new DicomPixelReader().Read(lut.Path).Values);
        Assert.Equal("lut", lut.Voi);
        Assert.Equal("window", window.Voi);
    }

    [Fact]
    public void Frame_selects_a_frame_and_a_missing_frame_names_the_file_and_the_count()
    {
        PydicomReferences.Case fifth = references.Named("rtdose.dcm [frame 5]");
        PydicomReferences.Case first = references.Named("rtdose.dcm");

        float[] frame5 = new DicomPixelReader(new DicomReadOptions { Frame = 5 }).Read(fifth.Path).Values;
        Assert.Equal(Expected(fifth, invert: false), frame5);
        Assert.NotEqual(Expected(first, invert: false), frame5);

        var reader = new DicomPixelReader(new DicomReadOptions { Frame = 15 });
        Assert.Equal("has 15 frame(s); frame 15 (DicomReadOptions.Frame, 0-based) does not exist", reader.FindProblem(fifth.Path));
        var error = Assert.Throws<InvalidDataException>(() => reader.Read(fifth.Path));
        Assert.Contains(fifth.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("15 frame(s)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Colour_files_give_three_channels_of_rgb()
    {
        PydicomReferences.Case rle = references.Named("SC_rgb_rle.dcm");
        PydicomReferences.Case ybr = references.Named("SC_rgb_dcmtk_+eb+cy+np.dcm");
        PydicomReferences.Case secondFrame = references.Named("SC_rgb_rle_2frame.dcm [frame 1]");

        foreach ((PydicomReferences.Case c, int frame) in new[] { (rle, 0), (ybr, 0), (secondFrame, 1) })
        {
            ImagePixels pixels = new DicomPixelReader(new DicomReadOptions { Frame = frame }).Read(c.Path);
            Assert.Equal(3, pixels.Channels);
            Assert.Equal((c.Columns, c.Rows), (pixels.Width, pixels.Height));
            Assert.Equal(Expected(c, invert: false), pixels.Values);
        }

        // pydicom's SC_rgb_rle.dcm starts with a red band: R = 1, G = B = 0 at the first pixel.
        float[] first = new DicomPixelReader().Read(rle.Path).Values;
        int plane = rle.Rows * rle.Columns;
        Assert.Equal((1f, 0f, 0f), (first[0], first[plane], first[2 * plane]));
    }

    [Fact]
    public void Gdcm_decodes_jpeg_ls_that_pydicom_cannot_to_the_uncompressed_values()
    {
        // MR_small_jpeg_ls_lossless.dcm is MR_small.dcm in lossless JPEG-LS; pydicom needs CharPyLS for it (skipped by
        // the reference script), GDCM decodes it through CharLS.
        string jpegLs = Path.Combine(Path.GetDirectoryName(TestFile(references, "MR_small.dcm"))!, "MR_small_jpeg_ls_lossless.dcm");
        Assert.Contains(references.Skipped, s => s.Name == "MR_small_jpeg_ls_lossless.dcm");

        Assert.Equal(new DicomPixelReader().Read(TestFile(references, "MR_small.dcm")).Values, new DicomPixelReader().Read(jpegLs).Values);
    }

    [Fact]
    public void A_file_that_is_not_dicom_goes_to_the_png_reader()
    {
        using var folder = new TempFolder();
        string png = folder.File("gray.png");
        using (var bitmap = new SKBitmap(new SKImageInfo(3, 2, SKColorType.Gray8, SKAlphaType.Opaque)))
        {
            for (int i = 0; i < 6; i++)
            {
                bitmap.SetPixel(i % 3, i / 3, new SKColor((byte)(i * 40), (byte)(i * 40), (byte)(i * 40)));
            }

            using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(png, data.ToArray());
        }

        string text = folder.File("notes.png");
        File.WriteAllText(text, "not an image");

        var reader = new DicomPixelReader();
        Assert.False(DicomFiles.IsDicom(png));
        Assert.Equal(new ImageFileReader().Read(png).Values, reader.Read(png).Values);
        Assert.Equal(new[] { 0f, 40 / 255f, 80 / 255f, 120 / 255f, 160 / 255f, 200 / 255f }, reader.Read(png).Values);
        Assert.Equal(new ImageFileReader().FindProblem(text), reader.FindProblem(text));
        Assert.NotNull(reader.FindProblem(text));
    }

    [Fact]
    public void Corrupt_files_give_errors_naming_the_file_and_transfer_syntax()
    {
        using var folder = new TempFolder();
        byte[] ct = File.ReadAllBytes(TestFile(references, "CT_small.dcm"));
        string truncatedPixels = folder.File("truncated-pixels.dcm");
        File.WriteAllBytes(truncatedPixels, ct[..(ct.Length - 5000)]);
        string truncatedHeader = folder.File("truncated-header.dcm");
        File.WriteAllBytes(truncatedHeader, ct[..200]);
        string garbage = folder.File("garbage.dcm");
        File.WriteAllBytes(garbage, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray());

        // pydicom's MR_truncated.dcm, which pydicom refuses too (the reference script skips it): its Pixel Data tag is at
        // byte 1488 and 8130 bytes follow the 12-byte header (Python's bytes.rfind on the file says the same).
        string mrTruncated = Path.Combine(Path.GetDirectoryName(TestFile(references, "MR_small.dcm"))!, "MR_truncated.dcm");
        Assert.Contains(references.Skipped, s => s.Name == "MR_truncated.dcm");

        var reader = new DicomPixelReader();
        Assert.Equal(
            "is truncated: the element (7FE0,0010) at byte 1488 needs 8192 bytes of value, and the file ends 8130 bytes after its header",
            reader.FindProblem(mrTruncated));
        foreach (string file in new[] { truncatedPixels, mrTruncated, truncatedHeader, garbage })
        {
            Assert.NotNull(reader.FindProblem(file));
            var error = Assert.Throws<InvalidDataException>(() => reader.Read(file));
            Assert.Contains(file, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_transfer_syntax_gdcm_cannot_decode_is_named_in_FindProblem()
    {
        string mpeg2 = Path.Combine(references.Directory, "synthetic", "mpeg2.dcm");
        var reader = new DicomPixelReader();

        string? problem = reader.FindProblem(mpeg2);

        Assert.Equal("uses transfer syntax 1.2.840.10008.1.2.4.100 (MPEG2 Main Profile @ Main Level), which GDCM cannot decode", problem);
        var error = Assert.Throws<InvalidDataException>(() => reader.Read(mpeg2));
        Assert.Contains(mpeg2, error.Message, StringComparison.Ordinal);
        Assert.Contains("1.2.840.10008.1.2.4.100", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsDicom_finds_the_preamble_without_an_extension()
    {
        using var folder = new TempFolder();
        string ct = TestFile(references, "CT_small.dcm");
        string extensionless = folder.File("IM0001");
        File.Copy(ct, extensionless);
        string notDicom = folder.File("IM0002");
        File.WriteAllBytes(notDicom, new byte[200]);

        Assert.True(DicomFiles.IsDicom(extensionless));
        Assert.False(DicomFiles.IsDicom(notDicom));
        Assert.False(DicomFiles.IsDicom(folder.File("missing")));
        Assert.True(DicomFiles.IsDicom(folder.File("missing.DCM")));
        // pydicom's DICOMDIR test tree names its files without extensions.
        Assert.True(DicomFiles.IsDicom(TestFile(references, "dicomdirtests/77654033/CR1/6154")));
        Assert.Equal(new DicomPixelReader().Read(ct).Values, new DicomPixelReader().Read(extensionless).Values);
    }

    [Fact]
    public void ReadTag_returns_what_pydicom_reads()
    {
        var tags = references.Root.GetProperty("tags").EnumerateArray().ToList();
        Assert.NotEmpty(tags);
        foreach (var tag in tags)
        {
            string path = tag.GetProperty("path").GetString()!;
            string keyword = tag.GetProperty("keyword").GetString()!;
            Assert.Equal(tag.GetProperty("value").GetString(), DicomFiles.ReadTag(path, keyword));
        }

        string ct = TestFile(references, "CT_small.dcm");
        Assert.Equal(DicomFiles.ReadTag(ct, "PatientID"), DicomFiles.ReadTag(ct, "(0010,0020)"));
        Assert.Equal(DicomFiles.ReadTag(ct, "PatientID"), DicomFiles.ReadTag(ct, "00100020"));
        Assert.Null(DicomFiles.ReadTag(ct, "PerformedProcedureStepID"));
        var unknown = Assert.Throws<ArgumentException>(() => DicomFiles.ReadTag(ct, "PatientIdentifier"));
        Assert.Contains("PatientIdentifier", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_on_many_threads_equal_reads_on_one()
    {
        // Training decodes on several threads at once (IImagePixelReader's contract).
        string[] files = ["CT_small.dcm", "MR_small_RLE.dcm", "SC_rgb_jpeg_dcmtk.dcm", "MR_small_jp2klossless.dcm"];
        string[] paths = files.Select(f => TestFile(references, f)).ToArray();
        var reader = new DicomPixelReader();
        float[][] serial = paths.Select(p => reader.Read(p).Values).ToArray();
        var parallel = new float[paths.Length * 8][];

        System.Threading.Tasks.Parallel.For(0, parallel.Length, i => parallel[i] = reader.Read(paths[i % paths.Length]).Values);

        for (int i = 0; i < parallel.Length; i++)
        {
            Assert.Equal(serial[i % paths.Length], parallel[i]);
        }
    }

    [Fact]
    public void Description_spells_out_the_settings()
    {
        Assert.Equal("dicom(frame=0, voi=file window/lut 0, prefer-lut)", new DicomPixelReader().Description);
        Assert.Equal("dicom(frame=2, voi=file window/lut 1, prefer-window)", new DicomPixelReader(new DicomReadOptions { Frame = 2, WindowIndex = 1, PreferVoiLut = false }).Description);
        Assert.Equal("dicom(frame=0, voi=window 40/400)", new DicomPixelReader(new DicomReadOptions { Window = new DicomWindow(40, 400) }).Description);
        Assert.Equal("dicom(frame=0, voi=none)", new DicomPixelReader(new DicomReadOptions { ApplyVoi = false }).Description);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DicomPixelReader(new DicomReadOptions { Frame = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DicomWindow(40, 0));
    }

    [Fact]
    public void A_description_reads_back_to_a_reader_with_the_same_settings()
    {
        DicomReadOptions[] settings =
        [
            new(),
            new() { Frame = 3, WindowIndex = 1, PreferVoiLut = false },
            new() { Window = new DicomWindow(-600, 1500) },
            new() { Window = new DicomWindow(0.1 + 0.2, 1e-3) },
            new() { ApplyVoi = false, Frame = 2 },
        ];
        foreach (DicomReadOptions options in settings)
        {
            string description = new DicomPixelReader(options).Description;
            Assert.True(DicomPixelReader.TryFromDescription(description, out DicomPixelReader? reader), description);
            Assert.Equal(description, reader!.Description);
        }

        // The two-window file read through a reader rebuilt from a description equals the original reader's read.
        PydicomReferences.Case second = references.Named("synthetic/two_windows.dcm [window 1]");
        var original = new DicomPixelReader(new DicomReadOptions { WindowIndex = 1 });
        Assert.True(DicomPixelReader.TryFromDescription(original.Description, out DicomPixelReader? rebuilt));
        Assert.Equal(original.Read(second.Path).Values, rebuilt!.Read(second.Path).Values);

        Assert.False(DicomPixelReader.TryFromDescription(new ImageFileReader().Description, out _));
        Assert.False(DicomPixelReader.TryFromDescription("dicom(frame=0, voi=window 40/0)", out _));
    }

    [Fact]
    public void Without_gdcm_the_error_says_how_to_install_it()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"no-gdcm-{Guid.NewGuid():N}");
        var reader = new DicomPixelReader(null, gdcmDirectory: missing);

        var error = Assert.Throws<DllNotFoundException>(() => reader.Read(TestFile(references, "CT_small.dcm")));

        Assert.Contains("apt-get install libgdcm-cil", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(missing, "gdcm-sharp.dll"), error.Message, StringComparison.Ordinal);
        Assert.Contains(GdcmRuntime.DirectoryVariable, error.Message, StringComparison.Ordinal);
    }
}
