using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace MLNetTransfer.Torch.Data;

/// <summary>
/// Turns a list of images into batches of transformed pixels for training or validation: decoding and augmentation
/// run on worker threads while the consumer works on the previous batch.
/// </summary>
/// <remarks>
/// <para>
/// Each call to <see cref="GetBatches"/> starts one producer thread that builds the batches in order, spreading each
/// batch's images over <see cref="BatchLoaderOptions.WorkerCount"/> threads, and keeps at most
/// <see cref="BatchLoaderOptions.PrefetchBatches"/> finished batches waiting (a bounded queue), so memory stays bounded
/// when the consumer is slower.
/// </para>
/// <para>
/// Reproducible: a sample's augmentation comes from a <see cref="Random"/> seeded by (seed, epoch, position in the
/// order, item index) with a stable mix, so the bytes of every batch are the same whatever the number of workers and
/// however threads are scheduled, and a run resumed at epoch k sees what an uninterrupted run saw.
/// </para>
/// <para>
/// Errors: an image that cannot be decoded ends the epoch with its own exception, typically an
/// <see cref="System.IO.InvalidDataException"/> naming the file, thrown on the consumer's thread when it asks for the
/// batch holding that image (not wrapped in an <see cref="AggregateException"/>). Leaving the enumeration early, an
/// error, cancellation or <see cref="Dispose"/> stop the producer and wait for it, so no thread outlives the epoch.
/// </para>
/// </remarks>
internal sealed class BatchLoader : IDisposable
{
    private readonly IReadOnlyList<ImageSource> _items;
    private readonly AugmentationOptions _augmentation;
    private readonly int _batchSize;
    private readonly int _channels;
    private readonly int _seed;
    private readonly int _workers;
    private readonly int _prefetch;
    private readonly long _cacheLimit;
    private readonly DecodedImage?[] _cache;
    private readonly CancellationTokenSource _disposing = new();
    private long _cachedBytes;
    private int _runningProducers;
    private volatile bool _disposed;

    /// <summary>Creates a loader over <paramref name="items"/>; nothing is read until <see cref="GetBatches"/> runs.</summary>
    /// <param name="items">The images; batches report indices into this list. Not copied: do not change it while the loader is in use.</param>
    /// <param name="options">Batch size, channels, augmentation, seed, workers, prefetch and cache. Copied.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or the augmentation is refused (see <see cref="AugmentationOptions.Validate"/>).</exception>
    public BatchLoader(IReadOnlyList<ImageSource> items, BatchLoaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Augmentation, $"{nameof(options)}.{nameof(options.Augmentation)}");
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is null)
            {
                throw new ArgumentException($"Item {i} is null.", nameof(items));
            }
        }

        if (options.BatchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options.BatchSize), options.BatchSize, "The batch size must be at least 1.");
        }

        if (options.Channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(options.Channels), options.Channels, "The network takes 1 (gray) or 3 (RGB) channels.");
        }

        if (options.WorkerCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options.WorkerCount), options.WorkerCount, "The worker count must be 0 (one per processor) or more.");
        }

        if (options.PrefetchBatches <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options.PrefetchBatches), options.PrefetchBatches, "At least one batch must be prepared ahead.");
        }

        if (options.CacheBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options.CacheBytes), options.CacheBytes, "The cache size must be 0 (off) or more.");
        }

        _augmentation = options.Augmentation.Clone();
        _augmentation.Validate();
        _items = items;
        _batchSize = options.BatchSize;
        _channels = options.Channels;
        _seed = options.Seed;
        _workers = options.WorkerCount == 0 ? Environment.ProcessorCount : options.WorkerCount;
        _prefetch = options.PrefetchBatches;
        _cacheLimit = options.CacheBytes;
        _cache = new DecodedImage?[items.Count];
    }

    /// <summary>The number of items.</summary>
    public int Count => _items.Count;

    /// <summary>The side of the square images in each batch (<see cref="AugmentationOptions.CropSize"/>).</summary>
    public int ImageSize => _augmentation.CropSize;

    /// <summary>Channels per image, 1 or 3.</summary>
    public int Channels => _channels;

    /// <summary>True if training batches vary from epoch to epoch (see <see cref="AugmentationOptions.IsRandom"/>).</summary>
    public bool IsRandom => _augmentation.IsRandom;

    /// <summary>Bytes of resized images held in the cache now.</summary>
    internal long CachedBytes => Interlocked.Read(ref _cachedBytes);

    /// <summary>Producer threads running now, for tests that check none outlives its epoch.</summary>
    internal int RunningProducers => Volatile.Read(ref _runningProducers);

    /// <summary>
    /// A permutation of 0 .. <paramref name="count"/> - 1 that depends only on <paramref name="seed"/> and
    /// <paramref name="epoch"/> (Fisher–Yates, with a stable seed mix).
    /// </summary>
    public static int[] ShuffledOrder(int count, int seed, int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        var random = new Random(SampleSeed.Mix(seed, epoch, -1));
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    /// <summary>
    /// The batches of one pass over <paramref name="order"/>, built on worker threads ahead of the consumer.
    /// </summary>
    /// <param name="order">Item indices in the order to visit them (e.g. <see cref="ShuffledOrder"/>); an index may repeat (oversampling).</param>
    /// <param name="epoch">The epoch, mixed into every sample's seed.</param>
    /// <param name="train">True for the training transform (random crop, flips, rotation, jitter), false for resize and center crop.</param>
    /// <param name="cancellationToken">Stops the producer; the enumeration then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>Batches of <see cref="BatchLoaderOptions.BatchSize"/> images, the last possibly smaller. Each enumeration runs the epoch afresh.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index in <paramref name="order"/> is out of range.</exception>
    public IEnumerable<ImageBatch> GetBatches(IReadOnlyList<int> order, int epoch, bool train, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(order);
        int[] snapshot = new int[order.Count];
        for (int i = 0; i < snapshot.Length; i++)
        {
            int index = order[i];
            if ((uint)index >= (uint)_items.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(order), index, $"Position {i} of the order holds {index}, outside 0 .. {_items.Count - 1}.");
            }

            snapshot[i] = index;
        }

        return Enumerate(snapshot, epoch, train, cancellationToken);
    }

    /// <summary>Stops running epochs (their enumerations throw) and frees the cache.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _disposing.Cancel();
        // Producers stop at the next image once cancelled; wait for them, so that none refills the cache after it is
        // cleared (a producer only runs while its enumeration is alive, which a consumer on another thread may hold).
        SpinWait.SpinUntil(() => Volatile.Read(ref _runningProducers) == 0, TimeSpan.FromSeconds(30));
        Array.Clear(_cache);
        Interlocked.Exchange(ref _cachedBytes, 0);
        _disposing.Dispose();
    }

    private IEnumerable<ImageBatch> Enumerate(int[] order, int epoch, bool train, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        using var queue = new BlockingCollection<Result>(_prefetch);
        Interlocked.Increment(ref _runningProducers);
        Task producer = Task.Factory.StartNew(
            () => Produce(order, epoch, train, queue, stop.Token),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        try
        {
            while (true)
            {
                Result result;
                try
                {
                    if (!queue.TryTake(out result, Timeout.Infinite, stop.Token))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && _disposed)
                {
                    throw new ObjectDisposedException(nameof(BatchLoader), "The loader was disposed while an epoch was running.");
                }

                result.Error?.Throw();
                yield return result.Batch!;
            }

            ObjectDisposedException.ThrowIf(_disposed, this);
            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            // The consumer left (finished, broke off, failed or was cancelled): stop the producer and wait for it, so
            // no thread keeps decoding after the epoch.
            stop.Cancel();
            producer.Wait(CancellationToken.None);
        }
    }

    private void Produce(int[] order, int epoch, bool train, BlockingCollection<Result> queue, CancellationToken token)
    {
        try
        {
            for (int start = 0; start < order.Length; start += _batchSize)
            {
                token.ThrowIfCancellationRequested();
                ImageBatch batch = Build(order, start, Math.Min(_batchSize, order.Length - start), epoch, train, token);
                queue.Add(new Result(batch, null), token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The consumer stopped; nobody is waiting for more.
        }
        catch (Exception e)
        {
            try
            {
                queue.Add(new Result(null, ExceptionDispatchInfo.Capture(e)), token);
            }
            catch (OperationCanceledException)
            {
                // The consumer left before it could see the error.
            }
        }
        finally
        {
            queue.CompleteAdding();
            Interlocked.Decrement(ref _runningProducers);
        }
    }

    private ImageBatch Build(int[] order, int start, int count, int epoch, bool train, CancellationToken token)
    {
        int size = _augmentation.CropSize;
        int sampleLength = _channels * size * size;
        var data = new float[(long)count * sampleLength];
        var indices = new int[count];
        Array.Copy(order, start, indices, 0, count);
        var errors = new Exception?[count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _workers, CancellationToken = token };
        Parallel.For(0, count, parallel, (i, state) =>
        {
            try
            {
                int position = start + i;
                int index = indices[i];
                DecodedImage prepared = Prepared(index);
                Span<float> destination = data.AsSpan(i * sampleLength, sampleLength);
                if (train)
                {
                    var random = new Random(SampleSeed.Mix(_seed, epoch, position, index));
                    ImageTransforms.TrainInto(prepared, _augmentation, _channels, random, destination);
                }
                else
                {
                    ImageTransforms.EvalInto(prepared, _augmentation, _channels, destination);
                }
            }
            catch (Exception e)
            {
                errors[i] = e;
                state.Stop();
            }
        });

        foreach (Exception? error in errors)
        {
            if (error is not null)
            {
                // The first failing image of the batch, with its own type and stack (not an AggregateException).
                ExceptionDispatchInfo.Capture(error).Throw();
            }
        }

        return new ImageBatch(data, indices, _channels, size);
    }

    // The decoded, channel-reduced and resized image: from the cache, or made now (and cached if it fits the budget).
    private DecodedImage Prepared(int index)
    {
        DecodedImage? cached = Volatile.Read(ref _cache[index]);
        if (cached is not null)
        {
            return cached;
        }

        DecodedImage prepared = ImageTransforms.Prepare(_items[index].Decode(), _augmentation, _channels);
        if (_cacheLimit > 0 && !_disposed)
        {
            long bytes = prepared.Pixels.Length * sizeof(float);
            if (Interlocked.Add(ref _cachedBytes, bytes) > _cacheLimit ||
                Interlocked.CompareExchange(ref _cache[index], prepared, null) is not null)
            {
                // Over budget, or another worker cached the same item (it appears twice in the order) first.
                Interlocked.Add(ref _cachedBytes, -bytes);
            }
        }

        return prepared;
    }

    private readonly record struct Result(ImageBatch? Batch, ExceptionDispatchInfo? Error);
}
