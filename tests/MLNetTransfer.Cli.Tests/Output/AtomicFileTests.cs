using System;
using System.IO;
using System.Linq;
using MLNetTransfer.Cli.Output;
using Xunit;

namespace MLNetTransfer.Cli.Tests.Output;

/// <summary>The command line's all-or-nothing file replacement, which model.zip, the ONNX file, the metrics JSON and the report go through.</summary>
[Trait("Category", "Reliability")]
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnettransfer-cli-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_writer_that_throws_half_way_leaves_the_previous_file_byte_identical_and_no_temporary_file()
    {
        string path = Path.Combine(_dir, "model.zip");
        byte[] previous = Enumerable.Range(0, 5000).Select(i => (byte)(i * 13)).ToArray();
        File.WriteAllBytes(path, previous);

        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[20_000]);
            throw new IOException("no space left on device (simulated)");
        }));

        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_dir));
    }

    [Fact]
    public void A_failing_metrics_json_leaves_the_previous_metrics_file()
    {
        string path = Path.Combine(_dir, "metrics.json");
        File.WriteAllText(path, "{\"auc\": 0.9}");
        byte[] previous = File.ReadAllBytes(path);

        Assert.Throws<InvalidOperationException>(() => JsonValues.WriteObject(path, json =>
        {
            json.WriteNumber("auc", 0.5);
            throw new InvalidOperationException("the evaluation failed half-way (simulated)");
        }));

        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_dir));
    }

    [Fact]
    public void A_writer_that_closes_the_stream_itself_still_replaces_the_file()
    {
        string path = Path.Combine(_dir, "model.zip");
        File.WriteAllBytes(path, new byte[] { 1, 2, 3 });

        AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[] { 4, 5 });
            stream.Dispose(); // as a writer with its own using over the stream does
        });

        Assert.Equal(new byte[] { 4, 5 }, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_dir));
    }

    [Fact]
    public void A_successful_write_replaces_the_file_and_leaves_no_temporary_file()
    {
        string path = Path.Combine(_dir, "model.onnx");
        File.WriteAllBytes(path, new byte[] { 1, 2, 3 });

        AtomicFile.Write(path, stream => stream.Write(new byte[] { 7 }));

        Assert.Equal(new byte[] { 7 }, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_dir));
    }
}
