using System;
using System.IO;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTransfer.Scoring;

/// <summary>
/// What the public fitted transformers hold: the chain of ML.NET transformers they forward to, the ONNX bytes it
/// runs and the file ML.NET reads them from, with the disposal rule (a disposed chain refuses to be used). One piece
/// for the fine-tuning and the featurizing transformers. Made by <see cref="OnnxChainBuilder.Build"/>.
/// </summary>
internal sealed class OnnxChainModel : IDisposable
{
    private readonly TransformerChain<ITransformer> _chain;
    private readonly OnnxModelFile _modelFile;
    private bool _disposed;

    public OnnxChainModel(TransformerChain<ITransformer> chain, byte[] onnx, OnnxModelFile modelFile)
    {
        _chain = chain;
        Onnx = onnx;
        _modelFile = modelFile;
    }

    public byte[] Onnx { get; }

    /// <summary>The file ML.NET's OnnxTransformer reads the graph from (at fit and again at save); deleted on Dispose.</summary>
    public string ModelFilePath => _modelFile.Path;

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
            // The session first: it holds the file open (ML.NET's OnnxModel.ModelStream).
            _chain.Dispose();
            _modelFile.Dispose();
        }
    }
}
