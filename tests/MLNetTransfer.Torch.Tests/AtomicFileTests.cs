using System;
using System.IO;
using System.Linq;
using Xunit;

namespace MLNetTransfer.Torch.Tests;

/// <summary>The library's all-or-nothing file replacement, on its own.</summary>
[Trait("Category", "Reliability")]
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnettransfer-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_writer_that_throws_half_way_leaves_the_previous_file_byte_identical_and_no_temporary_file()
    {
        string path = Path.Combine(_dir, "target.bin");
        byte[] previous = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllBytes(path, previous);

        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[10_000]);
            throw new IOException("disk full (simulated)");
        }));

        Assert.Equal("disk full (simulated)", e.Message);
        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_dir));
    }

    [Fact]
    public void A_successful_write_replaces_the_file_and_leaves_no_temporary_file()
    {
        string path = Path.Combine(_dir, "target.bin");
        File.WriteAllBytes(path, new byte[] { 1, 2, 3, 4, 5 });

        AtomicFile.Write(path, stream => stream.Write(new byte[] { 9, 8 }));

        Assert.Equal(new byte[] { 9, 8 }, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_dir));
    }
}
