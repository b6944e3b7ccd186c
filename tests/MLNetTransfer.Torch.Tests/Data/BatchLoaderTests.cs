using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using MLNetTransfer.Torch.Data;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Torch.Tests.Data;

/// <summary>
/// Batches: shape and order, reproducibility whatever the worker count and cache, errors surfacing on the consumer
/// with no thread left behind, early exit, cancellation, disposal, and a throughput figure (no timing asserts).
/// </summary>
public sealed class BatchLoaderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"mlnettransfer-loader-{Guid.NewGuid():N}");
    private readonly ITestOutputHelper _output;

    public BatchLoaderTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_folder);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Writes <paramref name="count"/> RGB PNGs of varied sizes (some not square) and returns them as items.</summary>
    private List<ImageSource> WriteImages(int count, int size = 80)
    {
        var items = new List<ImageSource>();
        for (int i = 0; i < count; i++)
        {
            string path = Path.Combine(_folder, $"image{i:D2}.png");
            TestImages.SavePng(path, TestImages.Rgb(kind: i % 4, size: size + i % 3, seed: i), size + i % 3);
            items.Add(ImageSource.FromFile(path));
        }

        return items;
    }

    private static BatchLoaderOptions Options(int workers, long cacheBytes = 1L << 30, int batchSize = 4) => new()
    {
        BatchSize = batchSize,
        Channels = 3,
        Seed = 123,
        WorkerCount = workers,
        CacheBytes = cacheBytes,
        Augmentation = new AugmentationOptions { ResizeTo = 64, CropSize = 56 },
    };

    private static List<float[]> Epoch(BatchLoader loader, IReadOnlyList<int> order, int epoch, bool train) =>
        loader.GetBatches(order, epoch, train).Select(b => b.Data).ToList();

    [Fact]
    public void BatchesHaveTheOrderTheShapeAndAShortLastBatch()
    {
        List<ImageSource> items = WriteImages(10);
        using var loader = new BatchLoader(items, Options(workers: 2));
        int[] order = BatchLoader.ShuffledOrder(10, seed: 5, epoch: 0);

        List<ImageBatch> batches = loader.GetBatches(order, epoch: 0, train: true).ToList();

        Assert.Equal(new[] { 4, 4, 2 }, batches.Select(b => b.Count));
        Assert.Equal(order, batches.SelectMany(b => b.Indices));
        Assert.All(batches, b => Assert.Equal(b.Count * 3 * 56 * 56, b.Data.Length));
        Assert.Equal(new long[] { 2, 3, 56, 56 }, batches[2].Shape);
        Assert.All(batches.SelectMany(b => b.Data), v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void EvalBatchesEqualTheEvalTransform()
    {
        List<ImageSource> items = WriteImages(6);
        using var loader = new BatchLoader(items, Options(workers: 3));

        ImageBatch batch = loader.GetBatches([5, 0, 3], epoch: 0, train: false).Single();

        for (int i = 0; i < 3; i++)
        {
            float[] expected = ImageTransforms.Eval(ImageDecoder.Decode(items[batch.Indices[i]].DisplayName), Options(1).Augmentation, 3);
            Assert.Equal(expected, batch.Data.Skip(i * expected.Length).Take(expected.Length));
        }
    }

    [Fact]
    public void SameSeedGivesTheSameBytesWhateverTheWorkersAndTheCache()
    {
        List<ImageSource> items = WriteImages(12);
        int[] order = BatchLoader.ShuffledOrder(12, seed: 1, epoch: 3);
        using var one = new BatchLoader(items, Options(workers: 1));
        using var four = new BatchLoader(items, Options(workers: 4, cacheBytes: 0));

        for (int epoch = 0; epoch < 2; epoch++)
        {
            List<float[]> a = Epoch(one, order, epoch, train: true);
            List<float[]> b = Epoch(four, order, epoch, train: true);
            Assert.Equal(a, b);
        }

        Assert.NotEqual(Epoch(one, order, 0, train: true), Epoch(one, order, 1, train: true));
    }

    [Fact]
    public void ShuffledOrderIsADeterministicPermutationPerEpoch()
    {
        int[] a = BatchLoader.ShuffledOrder(100, seed: 7, epoch: 2);

        Assert.Equal(Enumerable.Range(0, 100), a.Order());
        Assert.Equal(a, BatchLoader.ShuffledOrder(100, seed: 7, epoch: 2));
        Assert.NotEqual(a, BatchLoader.ShuffledOrder(100, seed: 7, epoch: 3));
        Assert.NotEqual(a, BatchLoader.ShuffledOrder(100, seed: 8, epoch: 2));
        Assert.Empty(BatchLoader.ShuffledOrder(0, 1, 1));
    }

    [Fact]
    public void CachedImagesAreNotDecodedAgain()
    {
        List<ImageSource> items = WriteImages(5);
        using var loader = new BatchLoader(items, Options(workers: 2));
        int[] order = [0, 1, 2, 3, 4];
        List<float[]> first = Epoch(loader, order, 0, train: false);
        Assert.Equal(5L * 3 * 64 * 64 * sizeof(float), loader.CachedBytes);

        foreach (ImageSource item in items)
        {
            File.Delete(item.DisplayName);
        }

        Assert.Equal(first, Epoch(loader, order, 0, train: false));

        using var uncached = new BatchLoader(items, Options(workers: 2, cacheBytes: 0));
        Assert.Throws<FileNotFoundException>(() => Epoch(uncached, order, 0, train: false));
        Assert.Equal(0, uncached.CachedBytes);
    }

    [Fact]
    public void CacheStaysWithinItsBudget()
    {
        List<ImageSource> items = WriteImages(6);
        long oneImage = 3L * 64 * 64 * sizeof(float);
        using var loader = new BatchLoader(items, Options(workers: 3, cacheBytes: 2 * oneImage + 1));

        Epoch(loader, [0, 1, 2, 3, 4, 5, 0, 1], 0, train: true);

        Assert.Equal(2 * oneImage, loader.CachedBytes);
    }

    [Fact]
    public void CorruptFileSurfacesOnTheConsumerNamingItAndNoThreadIsLeft()
    {
        List<ImageSource> items = WriteImages(20);
        string bad = items[13].DisplayName;
        File.WriteAllBytes(bad, File.ReadAllBytes(bad).AsSpan(0, 100).ToArray());
        using var loader = new BatchLoader(items, Options(workers: 4, batchSize: 4));

        var received = new List<ImageBatch>();
        var e = Assert.Throws<InvalidDataException>(() =>
        {
            foreach (ImageBatch batch in loader.GetBatches(Enumerable.Range(0, 20).ToArray(), 0, train: true))
            {
                received.Add(batch);
            }
        });

        Assert.Contains(bad, e.Message);
        Assert.Equal(3, received.Count); // positions 0-11 are fine; 12-15 hold the bad file
        Assert.Equal(0, loader.RunningProducers);
    }

    [Fact]
    public void LeavingEarlyStopsTheProducer()
    {
        List<ImageSource> items = WriteImages(16);
        using var loader = new BatchLoader(items, Options(workers: 2, batchSize: 2));

        ImageBatch first = loader.GetBatches(Enumerable.Range(0, 16).ToArray(), 0, train: true).First();

        Assert.Equal(2, first.Count);
        Assert.Equal(0, loader.RunningProducers);
    }

    [Fact]
    public void CancellationThrowsAndStopsTheProducer()
    {
        List<ImageSource> items = WriteImages(16);
        using var loader = new BatchLoader(items, Options(workers: 2, batchSize: 2));
        using var cancel = new CancellationTokenSource();

        int seen = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (ImageBatch _ in loader.GetBatches(Enumerable.Range(0, 16).ToArray(), 0, train: true, cancel.Token))
            {
                seen++;
                cancel.Cancel();
            }
        });

        Assert.Equal(1, seen);
        Assert.Equal(0, loader.RunningProducers);
    }

    [Fact]
    public void DisposingStopsARunningEpoch()
    {
        List<ImageSource> items = WriteImages(16);
        var loader = new BatchLoader(items, Options(workers: 2, batchSize: 2));

        Assert.Throws<ObjectDisposedException>(() =>
        {
            foreach (ImageBatch _ in loader.GetBatches(Enumerable.Range(0, 16).ToArray(), 0, train: true))
            {
                loader.Dispose();
            }
        });

        Assert.Equal(0, loader.RunningProducers);
        Assert.Throws<ObjectDisposedException>(() => loader.GetBatches([0], 0, train: false));
    }

    [Fact]
    public void MixedSourcesAndChannelConversion()
    {
        List<ImageSource> files = WriteImages(1);
        byte[] gray16 = PngTestWriter.Write(70, 64, colorType: 0, bitDepth: 16, Enumerable.Range(0, 70 * 64).Select(i => i * 14).ToArray());
        ImageSource[] items =
        [
            files[0],
            ImageSource.FromEncoded(gray16, "row 1"),
            ImageSource.FromImage(DecodedImage.FromPixels(Enumerable.Repeat(0.25f, 64 * 64).ToArray(), 64, 64, 1), "row 2"),
        ];
        using var loader = new BatchLoader(items, Options(workers: 2));

        ImageBatch batch = loader.GetBatches([0, 1, 2], 0, train: false).Single();

        int plane = 56 * 56;
        Assert.Equal(batch.Data.Skip(3 * plane).Take(plane), batch.Data.Skip(4 * plane).Take(plane)); // gray replicated
        Assert.All(batch.Data.Skip(6 * plane), v => Assert.Equal(0.25f, v, 1e-6f));
        Assert.Equal("row 1", items[1].DisplayName);
    }

    [Fact]
    public void BadArgumentsAreRefusedUpFront()
    {
        List<ImageSource> items = WriteImages(2);

        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(items, new BatchLoaderOptions { BatchSize = 0 })).ParamName);
        Assert.Equal("Channels", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(items, new BatchLoaderOptions { Channels = 2 })).ParamName);
        var refused = new BatchLoaderOptions { Augmentation = new AugmentationOptions { VerticalFlipProbability = 0.5 } };
        Assert.Equal("VerticalFlipProbability", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(items, refused)).ParamName);

        using var loader = new BatchLoader(items, Options(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.GetBatches([0, 2], 0, train: false));
    }

    [Fact]
    public void ThroughputSanity()
    {
        var items = new List<ImageSource>();
        for (int i = 0; i < 48; i++)
        {
            string path = Path.Combine(_folder, $"big{i:D2}.png");
            TestImages.SavePng(path, TestImages.Rgb(kind: i % 4, size: 512, seed: i), 512);
            items.Add(ImageSource.FromFile(path));
        }

        var options = new BatchLoaderOptions { BatchSize = 16, WorkerCount = 0, CacheBytes = 0, Seed = 1 };
        using var loader = new BatchLoader(items, options);
        int[] order = BatchLoader.ShuffledOrder(items.Count, 1, 0);
        var watch = Stopwatch.StartNew();
        int images = loader.GetBatches(order, 0, train: true).Sum(b => b.Count);
        watch.Stop();

        Assert.Equal(48, images);
        _output.WriteLine(
            $"{images} PNGs of 512x512 RGB decoded, resized to 256 and augmented to 224 in {watch.Elapsed.TotalMilliseconds:F0} ms " +
            $"({images / watch.Elapsed.TotalSeconds:F0} images/s, {Environment.ProcessorCount} workers).");
    }
}
