using System;
using System.Linq;
using MLNetTransfer.Torch.Modules;
using MLNetTransfer.Torch.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Explain;

/// <summary>
/// A ResNet rebuilt from an exported ONNX graph, with the graph's own preprocessing, ready for Grad-CAM. The graph
/// carries every weight (BatchNorm folded into the convolutions), so the TorchSharp network is rebuilt from it
/// (<see cref="OnnxResNetImporter"/>) and the saved model needs no TorchSharp file. Input: the graph's raw input planes.
/// </summary>
internal sealed class GradCamNetwork : IDisposable
{
    private readonly ResNet _model;
    private readonly OnnxResNet _graph;
    private readonly ScoreActivation _activation;
    private readonly float[] _temperatures;

    private GradCamNetwork(ResNet model, OnnxResNet graph, ScoreActivation activation, float[] temperatures, int outputs)
    {
        _model = model;
        _graph = graph;
        _activation = activation;
        _temperatures = temperatures;
        Outputs = outputs;
    }

    /// <summary>Outputs of the head (classes or labels).</summary>
    public int Outputs { get; }

    /// <summary>The rebuilt network (eval mode, parameters without gradients).</summary>
    internal ResNet Model => _model;

    /// <summary>Rebuilds the network of <paramref name="onnx"/>.</summary>
    /// <param name="onnx">A serialized graph written by this library's ONNX writer (or any ResNet graph the importer reads).</param>
    /// <param name="source">Names the graph in messages.</param>
    /// <param name="activation">The graph's output activation.</param>
    /// <param name="temperatures">The graph's temperatures: one, or one per output.</param>
    /// <exception cref="System.IO.InvalidDataException">The graph is not a ResNet with a head; the message names <paramref name="source"/>.</exception>
    public static GradCamNetwork FromOnnx(byte[] onnx, string source, ScoreActivation activation, float[] temperatures)
    {
        ArgumentNullException.ThrowIfNull(temperatures);
        var graph = OnnxResNetImporter.Read(onnx, source);
        if (!graph.HasHead)
        {
            throw new System.IO.InvalidDataException($"'{source}' holds a featurizer without a classification head; Grad-CAM explains a class score.");
        }

        string last = graph.MlpHiddenWidth is null ? "fc.weight" : "fc.3.weight";
        int outputs = (int)graph.Tensors.Single(t => t.Name == last).Shape[0];
        if (temperatures.Length != 1 && temperatures.Length != outputs)
        {
            throw new ArgumentException($"{temperatures.Length} temperatures for a head of {outputs} outputs.", nameof(temperatures));
        }

        var model = new ResNet(graph.Layout, outputs, graph.InChannels);
        try
        {
            if (graph.MlpHiddenWidth is { } hidden)
            {
                // Sequential(Linear, ReLU, Dropout, Linear): the training head's module tree, so the keys are fc.0 and fc.3.
                model.ReplaceHead(nn.Sequential(nn.Linear(graph.Layout.FeatureCount, hidden), nn.ReLU(), nn.Dropout(0.5), nn.Linear(hidden, outputs)));
            }

            StateDictLoader.Load(model, graph.Tensors, source, strict: true, Array.Empty<string>(), graph.Layout.ToString());
            model.eval();
            foreach (var p in model.parameters())
            {
                p.requires_grad = false;
            }

            return new GradCamNetwork(model, graph, activation, temperatures.ToArray(), outputs);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Grad-CAM of output <paramref name="target"/> at stage <paramref name="stage"/> for one image.</summary>
    /// <param name="planes">The graph's input for one image: planar <c>[channels, size, size]</c>, as the scoring chain feeds it.</param>
    /// <param name="channels">Channels of <paramref name="planes"/>.</param>
    /// <param name="size">Height and width of <paramref name="planes"/>.</param>
    /// <param name="target">The class or label to explain.</param>
    /// <param name="stage">0 for layer1 … 3 for layer4.</param>
    public GradCamResult Explain(float[] planes, int channels, int size, int target, int stage)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(target);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(target, Outputs);
        using var scope = NewDisposeScope();
        var (input, image) = Preprocess(planes, channels, size);
        var maps = GradCam.Compute(_model, input, target, stage);
        return new GradCamResult(maps, Scores(input, maps.Logits), image.data<float>().ToArray(), channels);
    }

    /// <summary>The head's logits for one image (no gradients), for checks against the graph's own outputs.</summary>
    public float[] Logits(float[] planes, int channels, int size)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (input, _) = Preprocess(planes, channels, size);
        return _model.call(input).data<float>().ToArray();
    }

    // The scores the graph computes: logits / T, then the activation; with test-time flip the mean of the image's and
    // its mirror's probabilities (Onnx/TestTimeFlip.cs mirrors the preprocessed batch along the width).
    private float[] Scores(Tensor input, float[] logits)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var t = tensor(_temperatures);
        Tensor Activate(Tensor l) => _activation == ScoreActivation.Softmax ? (l / t).softmax(1) : (l / t).sigmoid();
        var p = Activate(tensor(logits).unsqueeze(0));
        if (_graph.TestTimeFlip)
        {
            p = (p + Activate(_model.call(input.flip(3)))) / 2;
        }

        return p.data<float>().ToArray();
    }

    // The graph's preprocessing steps, in order (see OnnxPreprocessing); the crop also applies to the returned image.
    private (Tensor Input, Tensor Image) Preprocess(float[] planes, int channels, int size)
    {
        ArgumentNullException.ThrowIfNull(planes);
        if (planes.Length != (long)channels * size * size)
        {
            throw new ArgumentException($"{planes.Length} pixel values for [{channels}, {size}, {size}].", nameof(planes));
        }

        var x = tensor(planes, new long[] { 1, channels, size, size });
        var image = x;
        foreach (var step in _graph.Preprocessing)
        {
            switch (step)
            {
                case OnnxCropStep crop:
                    x = x[.., .., TensorIndex.Slice(crop.Top, crop.Top + crop.Height), TensorIndex.Slice(crop.Left, crop.Left + crop.Width)];
                    image = x;
                    break;
                case OnnxGrayStep gray:
                    x = nn.functional.conv2d(x, tensor(gray.Weights, new long[] { 1, 3, 1, 1 }));
                    break;
                case OnnxReplicateStep replicate:
                    x = cat(Enumerable.Repeat(x, replicate.Copies).ToArray(), 1);
                    break;
                case OnnxArithmeticStep a:
                    var c = a.Shape.Length == 0 ? tensor(a.Values[0]) : tensor(a.Values, a.Shape);
                    x = a.OpType switch { "Div" => x / c, "Sub" => x - c, "Mul" => x * c, _ => x + c };
                    break;
            }
        }

        if (x.shape[1] != _model.InChannels)
        {
            throw new ArgumentException($"The graph's preprocessing gives {x.shape[1]} channel(s) from {channels}; conv1 takes {_model.InChannels}.", nameof(channels));
        }

        return (x.contiguous(), image[0].contiguous());
    }

    /// <inheritdoc/>
    public void Dispose() => _model.Dispose();
}
