using System;
using System.Collections.Generic;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Scoring;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer;

/// <summary>
/// A fitted <see cref="ResNetFineTuneTrainer"/>: scores images with the exported ONNX graph through ML.NET's own
/// transformers, and holds what training measured.
/// </summary>
/// <remarks>
/// Every <see cref="ITransformer"/> call goes to an inner chain of ML.NET transformers (image loading and resizing,
/// pixel extraction, <c>OnnxTransformer</c>, conversions), and so does saving: <c>mlContext.Model.Save</c> writes that
/// chain, and <c>mlContext.Model.Load</c> gives it back as a <c>TransformerChain&lt;ITransformer&gt;</c>, not as this
/// type, in any app that references Microsoft.ML, Microsoft.ML.ImageAnalytics and Microsoft.ML.OnnxTransformer.
/// Owns an ONNX Runtime session and a temporary file of the graph (which ML.NET reads again on save): dispose it.
/// </remarks>
public sealed class ResNetFineTuneTransformer : ITransformer, IDisposable
{
    private readonly OnnxChainModel _model;

    // Full-precision models only: the image paths to the pixels column, for data that has no pixels column (the data
    // the model was fitted on). Not saved: the saved chain starts at the pixels.
    private readonly ITransformer? _pathsToPixels;

    internal ResNetFineTuneTransformer(OnnxChainModel model, FineTuneResult result, CalibrationResult calibration, IReadOnlyList<string> classNames, TaskKind task, IReadOnlyList<SkippedImage> skippedImages,
        ITransformer? pathsToPixels = null, IImagePixelReader? pixelReader = null)
    {
        _pathsToPixels = pathsToPixels;
        Reader = pixelReader;
        PixelReader = pixelReader?.Description;
        SkippedImages = skippedImages;
        _model = model;
        TrainingResult = result;
        Calibration = calibration;
        ClassNames = classNames;
        Task = task;
    }

    /// <summary>
    /// "Pixels": the input column of a model trained with <see cref="ResNetFineTuneTrainer.Options.PixelReader"/>, a
    /// float vector of 3 × size² values (R, G, B planes in 0–255 at full precision) that
    /// <see cref="ImagePixelInput.LoadModelInput"/> makes from an image file. An app that loads such a model.zip feeds
    /// this column instead of an image path.
    /// </summary>
    public const string PixelsColumnName = "Pixels";

    /// <summary>What training did: the strategy, per-epoch metrics, the best epoch, throughput.</summary>
    public FineTuneResult TrainingResult { get; }

    /// <summary>
    /// The images that <see cref="BadImagePolicy.Skip"/> left out of training and validation, with the reason, in data
    /// order (training data first); empty with <see cref="BadImagePolicy.Fail"/>, which refuses them instead.
    /// </summary>
    public IReadOnlyList<SkippedImage> SkippedImages { get; }

    /// <summary>The temperature and operating threshold fitted on the validation set, stored in the model, with the validation figures before and after calibration.</summary>
    public CalibrationResult Calibration { get; }

    /// <summary>Class (or label) names in output order: the i-th value of <c>Score</c> belongs to the i-th name.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Binary, multiclass or multi-label.</summary>
    public TaskKind Task { get; }

    /// <summary>
    /// The <see cref="IImagePixelReader.Description"/> of the reader the model was trained with, when it takes a float
    /// <see cref="PixelsColumnName"/> column; null for a model fed ML.NET's 8-bit images.
    /// </summary>
    public string? PixelReader { get; }

    // The reader itself, for the explainer (CreateGradCam).
    internal IImagePixelReader? Reader { get; }

    /// <summary>The ONNX model: raw 0–255 RGB planes in, scores out, preprocessing and metadata inside.</summary>
    public ReadOnlyMemory<byte> OnnxModel => _model.Onnx;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => _model.Chain(this).IsRowToRowMapper && (_pathsToPixels?.IsRowToRowMapper ?? true);

    /// <summary>The file ML.NET's OnnxTransformer reads the graph from; deleted on <see cref="Dispose"/>.</summary>
    internal string OnnxModelFilePath => _model.ModelFilePath;

    /// <summary>Writes <see cref="OnnxModel"/> to <paramref name="path"/>.</summary>
    public void SaveOnnx(string path) => _model.SaveOnnx(path);

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Scorer(inputSchema).GetOutputSchema(inputSchema);

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => Scorer(inputSchema).GetRowToRowMapper(inputSchema);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => Scorer(input.Schema).Transform(input);

    // The saved chain; for a full-precision model given image paths and no pixels, the paths' pixels first.
    private ITransformer Scorer(DataViewSchema input) =>
        _pathsToPixels is null || input.GetColumnOrNull(PixelsColumnName) is not null
            ? _model.Chain(this)
            : new TransformerChain<ITransformer>(_pathsToPixels, _model.Chain(this));

    /// <summary>Saves the inner chain of ML.NET transformers (see remarks).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => _model.Chain(this).Save(ctx);

    /// <summary>Releases the ONNX Runtime session. Idempotent.</summary>
    public void Dispose() => _model.Dispose();
}
