using System;
using System.IO;
using System.Threading;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Fuzzing;

/// <summary>A model.zip trained once by <c>mlnet-transfer train</c> (feature extraction, one epoch, 32 images of 64 px), and a few test images to score.</summary>
public sealed class CliModelSeed : IDisposable
{
    private readonly TempDataFolder _folder = new();
    private readonly Lock _lock = new();
    private string? _path;

    // The images are written at once (44 small PNGs), so TestImages exists for a test that does not train the model.
    public CliModelSeed() => SyntheticChestXrays.WriteDataset(Path.Combine(Root, "data"), size: 64, train: 32, validation: 8, test: 4);

    public string Root => _folder.Root;

    /// <summary>The test split's images.</summary>
    public string TestImages => Path.Combine(Root, "data", "test");

    public string ModelPath(ITestOutputHelper log)
    {
        lock (_lock)
        {
            if (_path is null)
            {
                string data = Path.Combine(Root, "data");
                string path = Path.Combine(Root, "model.zip");
                var train = CliProcess.Run(log, "train", "--data", data, "--grayscale", "--strategy", "feature-extraction", "--epochs", "1",
                    "--batch-size", "16", "--image-size", "64", "--output", path);
                Assert.Equal(0, train.ExitCode);
                _path = path;
            }

            return _path;
        }
    }

    public void Dispose() => _folder.Dispose();
}
