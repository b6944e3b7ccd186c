using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNetTransfer.Data;

namespace MLNetTransfer.Scoring;

/// <summary>
/// Builds a fitted chain of ML.NET's own transformers around an exported ONNX graph, so that a saved model scores with
/// ML.NET's packages alone: the image preprocessing the graph expects, the graph through <c>ApplyOnnxModel</c>, and
/// whatever conversions follow. Working columns are named with <see cref="Prefix"/> and dropped by <see cref="Build"/>.
/// Shared by the fine-tuning and the featurizing estimators, so both score the same way (docs/design.md, "Persistence
/// through ML.NET's transformers").
/// </summary>
/// <remarks>
/// Owns what it has fitted (the ONNX Runtime session, the graph's file) until <see cref="Build"/> hands it to an
/// <see cref="OnnxChainModel"/>; disposing a builder that was not built releases them, so a failure half-way loses
/// nothing.
/// </remarks>
internal sealed class OnnxChainBuilder : IDisposable
{
    /// <summary>Prefix of the chain's working columns; user columns may not start with it.</summary>
    public const string Prefix = "MLNetTransfer.";

    /// <summary>The graph's input: 0–255 RGB planes, <c>[N, 3, S, S]</c>.</summary>
    public const string Pixels = Prefix + "Pixels";

    private const string Image = Prefix + "Image";
    private const string Resized = Prefix + "Resized";

    private readonly List<ITransformer> _parts = new();
    private readonly List<string> _temporaries = new();
    private OnnxModelFile? _modelFile;
    private byte[]? _onnx;
    private bool _built;

    public OnnxChainBuilder(MLContext ml, IDataView input)
    {
        Ml = ml;
        Current = input;
    }

    public MLContext Ml { get; }

    /// <summary>The file the graph of <see cref="AddOnnx"/> was written to, until it is handed over or deleted.</summary>
    public string? ModelFilePath => _modelFile?.Path;

    /// <summary>The data as it looks after the transformers added so far (lazy; nothing is read).</summary>
    public IDataView Current { get; private set; }

    /// <summary>Appends a fitted transformer.</summary>
    public void Add(ITransformer transformer)
    {
        _parts.Add(transformer);
        Current = transformer.Transform(Current);
    }

    /// <summary>Marks working columns to drop at the end.</summary>
    public void Temporary(params string[] columns) => _temporaries.AddRange(columns);

    /// <summary>
    /// The image column as the graph's <see cref="Pixels"/> (<see cref="ImagePreprocessing"/>, the steps training reads
    /// its images through too): a path column is loaded with ML.NET's <c>LoadImages</c> (as the user's app will at
    /// scoring time), resized so the shorter side is <paramref name="resizeTo"/> and centre-cropped to a square, and its
    /// R, G, B planes extracted as 0–255 floats. The graph then crops, converts channels and normalises.
    /// </summary>
    public void AddImagePreprocessing(string imageColumn, string? imageFolder, int resizeTo)
    {
        string image = imageColumn;
        if (SchemaChecks.Find(Current.Schema, imageColumn).Type is not ImageDataViewType)
        {
            Add(ImagePreprocessing.Load(Ml, Image, imageFolder, imageColumn).Fit(Current));
            Temporary(Image);
            image = Image;
        }

        Add(ImagePreprocessing.Resize(Ml, Resized, resizeTo, image).Fit(Current));
        Add(ImagePreprocessing.Extract(Ml, Pixels, Resized).Fit(Current));
        Temporary(Resized, Pixels);
    }

    /// <summary>
    /// The graph's <see cref="Pixels"/> from a float vector column the user's data already holds (a full-precision
    /// model's <see cref="ResNetFineTuneTransformer.PixelsColumnName"/>: 0–255 planes, <c>3 × S × S</c> values).
    /// </summary>
    public void AddPixelsColumn(string pixelsColumn)
    {
        Add(Ml.Transforms.CopyColumns(Pixels, pixelsColumn).Fit(Current));
        Temporary(Pixels);
    }

    /// <summary>
    /// Runs <paramref name="onnx"/> on <see cref="Pixels"/>, with ONNX Runtime's CUDA provider when
    /// <paramref name="gpuDeviceId"/> is set. ML.NET's own <c>fallbackToCpu</c> does not catch a CPU-only onnxruntime
    /// (it throws EntryPointNotFoundException for OrtSessionOptionsAppendExecutionProvider_CUDA), so the fallback rule
    /// is applied here: CPU when <paramref name="fallbackToCpu"/>, otherwise an error that says what to do.
    /// </summary>
    /// <remarks>The graph goes to ML.NET as a file that this builder, then the built model, owns: see <see cref="OnnxModelFile"/>.</remarks>
    public void AddOnnx(string[] outputs, byte[] onnx, int? gpuDeviceId, bool fallbackToCpu)
    {
        if (_modelFile is not null)
        {
            throw new InvalidOperationException("The chain already runs an ONNX graph.");
        }

        _onnx = onnx;
        _modelFile = OnnxModelFile.Write(Ml.TempFilePath, onnx);
        string file = _modelFile.Path;
        Temporary(outputs);
        if (gpuDeviceId is null)
        {
            Add(Ml.Transforms.ApplyOnnxModel(outputs, new[] { Pixels }, file).Fit(Current));
            return;
        }

        ITransformer onnxTransformer;
        try
        {
            onnxTransformer = Ml.Transforms.ApplyOnnxModel(outputs, new[] { Pixels }, file, gpuDeviceId, fallbackToCpu: false).Fit(Current);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException or TargetInvocationException or InvalidOperationException
            || e.GetType().Name == "OnnxRuntimeException")
        {
            if (!fallbackToCpu)
            {
                throw new InvalidOperationException(
                    $"ONNX Runtime could not use GPU {gpuDeviceId} ({e.GetType().Name}: {e.Message}). Reference Microsoft.ML.OnnxRuntime.Gpu on a machine with CUDA, or set FallbackToCpu.", e);
            }

            onnxTransformer = Ml.Transforms.ApplyOnnxModel(outputs, new[] { Pixels }, file).Fit(Current);
        }

        Add(onnxTransformer);
    }

    /// <summary>
    /// Drops the working columns and returns the chain with the graph it runs; the returned model owns the session
    /// and the graph's file from here on.
    /// </summary>
    public OnnxChainModel Build()
    {
        if (_onnx is null || _modelFile is null)
        {
            throw new InvalidOperationException("The chain runs no ONNX graph: call AddOnnx first.");
        }

        Add(Ml.Transforms.DropColumns(_temporaries.Distinct().ToArray()).Fit(Current));
        var model = new OnnxChainModel(new TransformerChain<ITransformer>(_parts.ToArray()), _onnx, _modelFile);
        _built = true;
        return model;
    }

    /// <summary>Releases the fitted parts and the graph's file, unless <see cref="Build"/> handed them over.</summary>
    public void Dispose()
    {
        if (_built)
        {
            return;
        }

        _built = true;
        foreach (var part in _parts)
        {
            (part as IDisposable)?.Dispose();
        }

        _modelFile?.Dispose();
    }
}
