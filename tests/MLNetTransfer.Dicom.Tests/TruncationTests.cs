using System;
using System.IO;
using System.Linq;
using Xunit;

namespace MLNetTransfer.Dicom.Tests;

/// <summary>
/// Every prefix cut of a few of pydicom's files (native, RLE, JPEG, JPEG 2000) gives an error naming the file, never a
/// process abort: Debian's GDCM 3.0 asserts on most of these cuts (see DicomStructure), so this test host would crash.
/// </summary>
public sealed class TruncationTests(PydicomReferences references) : IClassFixture<PydicomReferences>
{
    [Theory]
    [InlineData("CT_small.dcm")]
    [InlineData("MR_small_RLE.dcm")]
    [InlineData("SC_rgb_jpeg_dcmtk.dcm")]
    [InlineData("MR_small_jp2klossless.dcm")]
    public void Every_cut_gives_an_error_naming_the_file(string name)
    {
        byte[] bytes = File.ReadAllBytes(references.Named(name).Path);
        using var folder = new TempFolder();
        var reader = new DicomPixelReader();
        // 40 cuts across the file, and the first 400 bytes (the File Meta Information) byte by byte every 7.
        var cuts = Enumerable.Range(1, 40).Select(i => (int)((long)bytes.Length * i / 41)).Concat(Enumerable.Range(0, 58).Select(i => i * 7)).Distinct();
        foreach (int cut in cuts)
        {
            string file = folder.File($"cut-{cut}.dcm");
            File.WriteAllBytes(file, bytes[..cut]);

            Assert.NotNull(reader.FindProblem(file));
            var error = Assert.Throws<InvalidDataException>(() => reader.Read(file));
            Assert.Contains(file, error.Message, StringComparison.Ordinal);
        }
    }
}
