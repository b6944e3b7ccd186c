using System;
using System.IO;
using System.Text;
using MLNetTransfer.Torch.FineTuning;
using Xunit;

namespace MLNetTransfer.Torch.Tests.FineTuning;

/// <summary>A training checkpoint whose training-state length is larger than the file is refused before it is allocated.</summary>
[Trait("Category", "Reliability")]
public sealed class CheckpointLengthTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"mlnettransfer-{Guid.NewGuid():N}.mlnt");

    [Fact]
    public void HugeStateLength_IsRefusedNamingTheFileBeforeAllocating()
    {
        using (var writer = new BinaryWriter(File.Create(_path), Encoding.UTF8))
        {
            writer.Write("MLNTCKPT"u8);
            writer.Write(TrainingCheckpoint.FormatVersion);
            // 2 GiB - 1 of JSON declared, 16 bytes present: BinaryReader.ReadBytes allocated the declared length first.
            writer.Write(int.MaxValue);
            writer.Write(new byte[16]);
        }

        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.ReadState(_path));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Contains($"'{_path}'", e.Message);
        Assert.Contains($"{int.MaxValue} bytes", e.Message);
        Assert.True(allocated < 100L << 20, $"allocated {allocated} bytes before refusing");
    }

    public void Dispose() => File.Delete(_path);
}
