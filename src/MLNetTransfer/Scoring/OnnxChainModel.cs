using System;
using System.IO;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTransfer.Scoring;

/// <summary>
/// What the public fitted transformers hold: the chain of ML.NET transformers they forward to and the ONNX bytes it
/// runs, with the disposal rule (a disposed chain refuses to be used). One piece for the fine-tuning and the
/// featurizing transformers.
/// </summary>
internal sealed class OnnxChainModel : IDisposable
{
    private readonly TransformerChain<ITransformer> _chain;
    private bool _disposed;

    public OnnxChainModel(TransformerChain<ITransformer> chain, byte[] onnx)
    {
        _chain = chain;
        Onnx = onnx;
    }

    public byte[] Onnx { get; }

    /// <summary>The chain as an <see cref="ITransformer"/>; throws once disposed.</summary>
    public ITransformer Chain(object owner)
    {
        ObjectDisposedException.ThrowIf(_disposed, owner);
        return _chain;
    }

    public void SaveOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, Onnx);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _chain.Dispose();
        }
    }
}
