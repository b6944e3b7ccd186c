using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Scoring;

namespace MLNetTransfer;

/// <summary>
/// A fitted <see cref="ResNetFeaturizingEstimator"/>: forwards to a chain of ML.NET transformers ending in
/// OnnxTransformer (saved and loaded like any chain; <c>Model.Load</c> returns a <c>TransformerChain</c>). Owns an ONNX
/// Runtime session and a temporary file of the graph (which ML.NET reads again on save): dispose it.
/// </summary>
public sealed class ResNetFeaturizingTransformer : ITransformer, IDisposable
{
    private readonly OnnxChainModel _model;

    internal ResNetFeaturizingTransformer(OnnxChainModel model, int featureCount)
    {
        _model = model;
        FeatureCount = featureCount;
    }

    /// <summary>Width of the feature vector: 512 or 2048.</summary>
    public int FeatureCount { get; }

    /// <summary>The ONNX graph: raw 0–255 RGB planes in, pooled features out.</summary>
    public ReadOnlyMemory<byte> OnnxModel => _model.Onnx;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => _model.Chain(this).IsRowToRowMapper;

    /// <summary>The file ML.NET's OnnxTransformer reads the graph from; deleted on <see cref="Dispose"/>.</summary>
    internal string OnnxModelFilePath => _model.ModelFilePath;

    /// <summary>Writes <see cref="OnnxModel"/> to <paramref name="path"/>.</summary>
    public void SaveOnnx(string path) => _model.SaveOnnx(path);

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _model.Chain(this).GetOutputSchema(inputSchema);

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => _model.Chain(this).GetRowToRowMapper(inputSchema);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => _model.Chain(this).Transform(input);

    /// <summary>Saves the inner chain of ML.NET transformers.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => _model.Chain(this).Save(ctx);

    /// <summary>Releases the ONNX Runtime session. Idempotent.</summary>
    public void Dispose() => _model.Dispose();
}
