using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Transforms.Image;
using MLNetTransfer.FineTuning;
using MLNetTransfer.Onnx;

namespace MLNetTransfer.Scoring;

/// <summary>
/// Scores images with a fine-tuned model's ONNX graph, many images per ONNX Runtime call. ML.NET's
/// <c>OnnxTransformer</c>, which the fitted transformer ends in, calls ONNX Runtime once per row; on a CPU, batches of
/// 16–64 score about 1.5–1.7 times as many images per second (BENCHMARKS.md, "Scoring").
/// </summary>
/// <remarks>
/// <para>
/// The numbers are the fitted transformer's: the images go through the same ML.NET transformers with the same settings
/// as its chain (<c>LoadImages</c> when the column holds paths or encoded bytes, <c>ResizeImages</c> to the graph's
/// input size with <c>IsoCrop</c> and <c>Center</c>, <c>ExtractPixels</c>), then the pixel vectors are stacked into
/// <c>[n, 3, S, S]</c> batches and fed to one <see cref="InferenceSession"/>. Class names come from the graph's
/// metadata (<c>mlnettransfer.class_labels</c>).
/// </para>
/// <para>
/// Use it for offline or bulk scoring (a folder, a study, a nightly job), where throughput counts. For one image at a
/// time, for ML.NET's evaluators, and for <c>mlContext.Model.Save</c>, keep the fitted transformer: a
/// <see cref="BatchScorer"/> is not an <see cref="ITransformer"/> and is not saved in a model zip. It owns an ONNX
/// Runtime session: dispose it. It does not own, and does not need, the transformer it was created from.
/// One <see cref="Predict(IDataView)"/> enumeration at a time.
/// </para>
/// </remarks>
public sealed class BatchScorer : IDisposable
{
    private const int Channels = 3;

    private readonly MLContext _ml = new();
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string _inputName;
    private readonly string[] _outputNames;
    private readonly int _scoreOutput;
    private readonly int _predictedIndexOutput;
    private readonly int _probabilityOutput;
    private readonly int _logitOutput;
    private readonly string _imageColumnName;
    private readonly string? _imageFolder;
    private bool _disposed;

    private BatchScorer(byte[] onnx, BatchScorerOptions options)
    {
        _session = CreateSession(onnx, options, out bool usesGpu);
        try
        {
            UsesGpu = usesGpu;
            BatchSize = options.BatchSize;
            _imageColumnName = options.ImageColumnName;
            _imageFolder = options.ImageFolder;

            var input = _session.InputMetadata.Count == 1
                ? _session.InputMetadata.Single()
                : throw new ArgumentException($"The ONNX model has {_session.InputMetadata.Count} inputs; a ResNet exported by MLNetTransfer has one.", nameof(onnx));
            var dims = input.Value.Dimensions;
            if (dims.Length != 4 || dims[1] != Channels || dims[2] < 1 || dims[2] != dims[3] || input.Value.ElementType != typeof(float))
            {
                throw new ArgumentException(
                    $"The ONNX model's input '{input.Key}' is {input.Value.ElementType.Name} [{string.Join(", ", dims)}]; expected float [N, {Channels}, S, S] (the planar RGB pixels of ML.NET's ExtractPixels).",
                    nameof(onnx));
            }

            _inputName = input.Key;
            InputSize = dims[2];
            _outputNames = _session.OutputMetadata.Keys.ToArray();
            _scoreOutput = Array.IndexOf(_outputNames, ScoringChain.Score);
            if (_scoreOutput < 0)
            {
                _scoreOutput = _outputNames.Length == 1
                    ? 0
                    : throw new ArgumentException($"The ONNX model has no output '{ScoringChain.Score}' and more than one output: [{string.Join(", ", _outputNames)}].", nameof(onnx));
            }

            _predictedIndexOutput = Array.IndexOf(_outputNames, ScoringChain.PredictedIndex);
            _probabilityOutput = Array.IndexOf(_outputNames, ScoringChain.Probability);
            _logitOutput = Array.IndexOf(_outputNames, ScoringChain.Logit);
            ClassNames = ReadClassLabels(_session);
        }
        catch
        {
            _session.Dispose();
            _runOptions.Dispose();
            throw;
        }
    }

    /// <summary>Class (or label) names in <see cref="ScoredImage.Score"/> order, from the graph's metadata; empty when it has none.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Images per ONNX Runtime call.</summary>
    public int BatchSize { get; }

    /// <summary>Side of the square the images are resized to (the graph's input; the graph crops it).</summary>
    public int InputSize { get; }

    /// <summary>Whether ONNX Runtime runs on the GPU (false after a fallback to the CPU).</summary>
    public bool UsesGpu { get; }

    /// <summary>
    /// A scorer for a fitted <see cref="ResNetFineTuneTransformer"/>: give the image column and folder the trainer had
    /// (<c>ResNetFineTuneOptions.ImageColumnName</c> and <c>ImageFolder</c>).
    /// </summary>
    /// <param name="model">The fitted transformer; the scorer copies its ONNX model and does not hold on to it.</param>
    /// <param name="imageColumnName">The image column: Image (LoadImages) or String (file paths).</param>
    /// <param name="imageFolder">Folder that relative paths are relative to; null = as given.</param>
    /// <param name="batchSize">Images per ONNX Runtime call.</param>
    public static BatchScorer Create(
        ResNetFineTuneTransformer model,
        string imageColumnName = BatchScorerOptions.Defaults.ImageColumnName,
        string? imageFolder = null,
        int batchSize = BatchScorerOptions.Defaults.BatchSize) =>
        Create(model, new BatchScorerOptions { ImageColumnName = imageColumnName, ImageFolder = imageFolder, BatchSize = batchSize });

    /// <summary>A scorer for a fitted <see cref="ResNetFineTuneTransformer"/> with all options.</summary>
    /// <param name="model">The fitted transformer; the scorer copies its ONNX model and does not hold on to it.</param>
    /// <param name="options">Batch size, image column and folder, GPU.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="InvalidOperationException">The GPU was asked for, cannot be used, and <see cref="BatchScorerOptions.FallbackToCpu"/> is false.</exception>
    public static BatchScorer Create(ResNetFineTuneTransformer model, BatchScorerOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Create(model.OnnxModel, options);
    }

    /// <summary>
    /// A scorer for an ONNX model written by MLNetTransfer (<see cref="ResNetFineTuneTransformer.OnnxModel"/> or a file
    /// from <see cref="ResNetFineTuneTransformer.SaveOnnx(string)"/>): raw 0–255 planar RGB <c>[N, 3, S, S]</c> in.
    /// </summary>
    /// <param name="onnxModel">The model's bytes.</param>
    /// <param name="options">Batch size, image column and folder, GPU; null = defaults.</param>
    /// <exception cref="ArgumentException">The bytes are not such a model.</exception>
    /// <exception cref="InvalidOperationException">The GPU was asked for, cannot be used, and <see cref="BatchScorerOptions.FallbackToCpu"/> is false.</exception>
    public static BatchScorer Create(ReadOnlyMemory<byte> onnxModel, BatchScorerOptions? options = null)
    {
        options ??= new BatchScorerOptions();
        Validate(options);
        if (onnxModel.IsEmpty)
        {
            throw new ArgumentException("The ONNX model is empty.", nameof(onnxModel));
        }

        byte[] bytes = MemoryMarshal.TryGetArray(onnxModel, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : onnxModel.ToArray();
        return new BatchScorer(bytes, options);
    }

    /// <summary>A scorer for an ONNX file written by MLNetTransfer (see <see cref="Create(ReadOnlyMemory{byte}, BatchScorerOptions?)"/>).</summary>
    /// <param name="onnxPath">The <c>.onnx</c> file.</param>
    /// <param name="options">Batch size, image column and folder, GPU; null = defaults.</param>
    public static BatchScorer Create(string onnxPath, BatchScorerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        return Create(File.ReadAllBytes(onnxPath), options);
    }

    /// <summary>
    /// Scores the rows of <paramref name="input"/>, in order, <see cref="BatchSize"/> rows per ONNX Runtime call. The
    /// image column is <see cref="BatchScorerOptions.ImageColumnName"/>. Lazy: rows are read and scored as the result
    /// is enumerated.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The image column is missing or of another type (ML.NET's wording).</exception>
    /// <exception cref="ObjectDisposedException">The scorer is disposed.</exception>
    public IEnumerable<ScoredImage> Predict(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Score(Preprocess(input, _imageColumnName));
    }

    /// <summary>
    /// Scores image files, in order, <see cref="BatchSize"/> images per ONNX Runtime call; relative paths are relative to
    /// <see cref="BatchScorerOptions.ImageFolder"/>. Lazy, as <see cref="Predict(IDataView)"/>.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The scorer is disposed.</exception>
    public IEnumerable<ScoredImage> Predict(IEnumerable<string> imagePaths)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var rows = imagePaths.Select(p => new PathRow { ImagePath = p ?? throw new ArgumentException("An image path is null.", nameof(imagePaths)) }).ToList();
        return Score(Preprocess(_ml.Data.LoadFromEnumerable(rows), nameof(PathRow.ImagePath)));
    }

    /// <summary>Releases the ONNX Runtime session. Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _session.Dispose();
        _runOptions.Dispose();
    }

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }

    // The fitted transformer's preprocessing (ScoringChain.Build): the same ML.NET transformers, settings and column names.
    private IDataView Preprocess(IDataView input, string imageColumn)
    {
        // ML.NET's wording (style convention 5), as the fine-tune trainer words it. Paths or images only: ML.NET's
        // LoadImages, which the fitted chain uses too, reads file paths, not encoded bytes.
        var type = (input.Schema.GetColumnOrNull(imageColumn)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"Could not find input column '{imageColumn}'")).Type;
        if (type is not (ImageDataViewType or TextDataViewType))
        {
            bool bytes = type is VectorDataViewType { ItemType: NumberDataViewType n } && n.RawType == typeof(byte);
            throw new ArgumentOutOfRangeException(nameof(input),
                $"Schema mismatch for input column '{imageColumn}': expected Image or String (a file path), got {type}"
                + (bytes ? ". Encoded image bytes cannot be scored by ML.NET's LoadImages, which reads file paths only: pass the path column, or LoadImages' Image column" : ""));
        }

        IDataView current = input;
        string image = imageColumn;
        if (type is not ImageDataViewType)
        {
            current = _ml.Transforms.LoadImages(ScoringChain.Image, _imageFolder, image).Fit(current).Transform(current);
            image = ScoringChain.Image;
        }

        current = _ml.Transforms.ResizeImages(ScoringChain.Resized, InputSize, InputSize, image, ImageResizingEstimator.ResizingKind.IsoCrop, ImageResizingEstimator.Anchor.Center)
            .Fit(current).Transform(current);
        return _ml.Transforms.ExtractPixels(ScoringChain.Pixels, ScoringChain.Resized).Fit(current).Transform(current);
    }

    private IEnumerable<ScoredImage> Score(IDataView pixels)
    {
        int length = Channels * InputSize * InputSize;
        var column = pixels.Schema[ScoringChain.Pixels];
        var batch = new float[BatchSize * length];
        using var cursor = pixels.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var row = default(VBuffer<float>);
        int count = 0;
        while (cursor.MoveNext())
        {
            getter(ref row);
            var target = batch.AsSpan(count * length, length);
            if (row.IsDense)
            {
                row.GetValues().CopyTo(target);
            }
            else
            {
                target.Clear();
                var indices = row.GetIndices();
                var values = row.GetValues();
                for (int i = 0; i < indices.Length; i++)
                {
                    target[indices[i]] = values[i];
                }
            }

            if (++count == BatchSize)
            {
                foreach (var scored in Run(batch, count))
                {
                    yield return scored;
                }

                count = 0;
            }
        }

        if (count > 0)
        {
            foreach (var scored in Run(batch, count))
            {
                yield return scored;
            }
        }
    }

    private ScoredImage[] Run(float[] batch, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int length = Channels * InputSize * InputSize;
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, batch.AsMemory(0, count * length),
            new long[] { count, Channels, InputSize, InputSize });
        using var outputs = _session.Run(_runOptions, new[] { _inputName }, new[] { input }, _outputNames);
        var scores = outputs[_scoreOutput].GetTensorDataAsSpan<float>();
        int classes = scores.Length / count;
        var predicted = _predictedIndexOutput >= 0 ? outputs[_predictedIndexOutput].GetTensorDataAsSpan<float>() : default;
        var probability = _probabilityOutput >= 0 ? outputs[_probabilityOutput].GetTensorDataAsSpan<float>() : default;
        var logit = _logitOutput >= 0 ? outputs[_logitOutput].GetTensorDataAsSpan<float>() : default;
        var result = new ScoredImage[count];
        for (int i = 0; i < count; i++)
        {
            int? index = predicted.IsEmpty ? null : (int)predicted[i];
            string? label = index is { } k && k >= 0 && k < ClassNames.Count ? ClassNames[k] : null;
            result[i] = new ScoredImage(
                scores.Slice(i * classes, classes).ToArray(),
                index,
                label,
                probability.IsEmpty ? null : probability[i],
                logit.IsEmpty ? null : logit[i]);
        }

        return result;
    }

    private static IReadOnlyList<string> ReadClassLabels(InferenceSession session)
    {
        if (!session.ModelMetadata.CustomMetadataMap.TryGetValue(ModelMetadataKeys.ClassLabels, out var json))
        {
            return Array.Empty<string>();
        }

        try
        {
            return JsonSerializer.Deserialize<string[]>(json) ?? Array.Empty<string>();
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The ONNX metadata '{ModelMetadataKeys.ClassLabels}' is not a JSON array of strings: {e.Message}", "onnxModel", e);
        }
    }

    // GPU: ONNX Runtime's CUDA provider when asked for. The CPU-only onnxruntime package throws
    // EntryPointNotFoundException for OrtSessionOptionsAppendExecutionProvider_CUDA; a missing CUDA runtime gives
    // DllNotFoundException or OnnxRuntimeException. The fallback rule is ScoringChain's: CPU only when allowed.
    private static InferenceSession CreateSession(byte[] onnx, BatchScorerOptions options, out bool usesGpu)
    {
        if (options.GpuDeviceId is { } device)
        {
            try
            {
                using var gpu = SessionOptionsFor(options);
                gpu.AppendExecutionProvider_CUDA(device);
                usesGpu = true;
                return new InferenceSession(onnx, gpu);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException or OnnxRuntimeException)
            {
                if (!options.FallbackToCpu)
                {
                    throw new InvalidOperationException(
                        $"ONNX Runtime could not use GPU {device} ({e.GetType().Name}: {e.Message}). Reference Microsoft.ML.OnnxRuntime.Gpu on a machine with CUDA, or set FallbackToCpu.", e);
                }
            }
        }

        usesGpu = false;
        using var cpu = SessionOptionsFor(options);
        try
        {
            return new InferenceSession(onnx, cpu);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ArgumentException($"ONNX Runtime cannot load the model: {e.Message}", "onnxModel", e);
        }
    }

    private static SessionOptions SessionOptionsFor(BatchScorerOptions options)
    {
        var session = new SessionOptions();
        if (options.IntraOpNumThreads is { } threads)
        {
            session.IntraOpNumThreads = threads;
        }

        return session;
    }

    private static void Validate(BatchScorerOptions o)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.BatchSize, nameof(o.BatchSize));
        ArgumentException.ThrowIfNullOrWhiteSpace(o.ImageColumnName, nameof(o.ImageColumnName));
        if (o.GpuDeviceId is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(o.GpuDeviceId), o.GpuDeviceId, "GpuDeviceId is a CUDA device number (0 or more), or null for the CPU.");
        }

        if (o.IntraOpNumThreads is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(o.IntraOpNumThreads), o.IntraOpNumThreads, "IntraOpNumThreads is at least 1, or null for ONNX Runtime's default.");
        }
    }
}
