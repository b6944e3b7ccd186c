namespace MLNetTransfer.Scoring;

/// <summary>Options of <see cref="BatchScorer"/>. Every member has a documented default.</summary>
public sealed class BatchScorerOptions
{
    /// <summary>Default values of the options.</summary>
    public static class Defaults
    {
        /// <summary>Images per ONNX Runtime call.</summary>
        public const int BatchSize = 32;

        /// <summary>The image column, as <c>ResNetFineTuneOptions.ImageColumnName</c>'s default.</summary>
        public const string ImageColumnName = "Image";
    }

    /// <summary>
    /// Images per ONNX Runtime call. Larger batches use the CPU's cores better (the gain levels off at 16–64 on a
    /// CPU, see BENCHMARKS.md) and cost more memory: about <c>BatchSize × 3 × S² × 4</c> bytes of input plus the
    /// network's activations. Default <see cref="Defaults.BatchSize"/>.
    /// </summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>
    /// The image column of the IDataView given to <see cref="BatchScorer.Predict(Microsoft.ML.IDataView)"/>: an Image
    /// (LoadImages) or a String of file paths. Use the fine-tune trainer's
    /// <c>ImageColumnName</c>. Default <see cref="Defaults.ImageColumnName"/>.
    /// </summary>
    public string ImageColumnName { get; set; } = Defaults.ImageColumnName;

    /// <summary>
    /// Folder that relative paths are relative to (ML.NET's <c>LoadImages</c> <c>imageFolder</c>). Use the fine-tune
    /// trainer's <c>ImageFolder</c>. Default null (paths as given).
    /// </summary>
    public string? ImageFolder { get; set; }

    /// <summary>CUDA device for ONNX Runtime (needs the Microsoft.ML.OnnxRuntime.Gpu package); null = CPU. Default null.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>
    /// Use the CPU when <see cref="GpuDeviceId"/> is set but ONNX Runtime cannot use the GPU (for example the CPU-only
    /// onnxruntime package is referenced); false throws. Default false, as ML.NET's <c>ApplyOnnxModel</c> and
    /// <c>ResNetFineTuneOptions.FallbackToCpu</c>.
    /// </summary>
    public bool FallbackToCpu { get; set; }

    /// <summary>
    /// Threads ONNX Runtime uses inside one call; null = ONNX Runtime's default (one per physical core), as ML.NET's
    /// OnnxTransformer. Set it lower when several scorers share a machine. Default null.
    /// </summary>
    public int? IntraOpNumThreads { get; set; }
}
