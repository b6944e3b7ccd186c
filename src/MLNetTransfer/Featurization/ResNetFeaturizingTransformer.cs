using System;
using System.IO;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTransfer.Featurization;

/// <summary>
/// A fitted <see cref="ResNetFeaturizingEstimator"/>: forwards to a chain of ML.NET transformers ending in
/// OnnxTransformer (saved and loaded like any chain; <c>Model.Load</c> returns a <c>TransformerChain</c>). Owns an ONNX
/// Runtime session: dispose it.
/// </summary>
public sealed class ResNetFeaturizingTransformer : ITransformer, IDisposable
{
    private readonly TransformerChain<ITransformer> _chain;
    private readonly byte[] _onnx;
    private bool _disposed;

    internal ResNetFeaturizingTransformer(TransformerChain<ITransformer> chain, byte[] onnx, int featureCount)
    {
        _chain = chain;
        _onnx = onnx;
        FeatureCount = featureCount;
    }

    /// <summary>Width of the feature vector: 512 or 2048.</summary>
    public int FeatureCount { get; }

    /// <summary>The ONNX graph: raw 0–255 RGB planes in, pooled features out.</summary>
    public ReadOnlyMemory<byte> OnnxModel => _onnx;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => ((ITransformer)_chain).IsRowToRowMapper;

    /// <summary>Writes <see cref="OnnxModel"/> to <paramref name="path"/>.</summary>
    public void SaveOnnx(string path) => File.WriteAllBytes(path, _onnx);

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _chain.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ((ITransformer)_chain).GetRowToRowMapper(inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _chain.Transform(input);
    }

    /// <summary>Saves the inner chain of ML.NET transformers.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ((ICanSaveModel)_chain).Save(ctx);
    }

    /// <summary>Releases the ONNX Runtime session. Idempotent.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _chain.Dispose();
        }
    }
}
