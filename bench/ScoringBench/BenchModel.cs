using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Transforms.Image;
using MLNetTransfer.FineTuning;
using MLNetTransfer.Onnx;
using MLNetTransfer.Torch;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Bench.Scoring;

/// <summary>
/// A model under test: its ONNX bytes, the ML.NET chain that scores image paths with it, and a TorchSharp network of
/// the same shape for the peer measurement.
/// </summary>
internal sealed class BenchModel : IDisposable
{
    // The scoring chain's working column names (ScoringChain in src/MLNetTransfer; internal there).
    public const string ImageColumn = "MLNetTransfer.Image";
    public const string ResizedColumn = "MLNetTransfer.Resized";
    public const string PixelsColumn = "MLNetTransfer.Pixels";
    public const string ScoreColumn = "MLNetTransfer.Score";
    private static readonly string[] BinaryOutputs = { ScoreColumn, "MLNetTransfer.PredictedIndex", "MLNetTransfer.Probability", "MLNetTransfer.Logit" };

    private readonly List<IDisposable> _owned = new();

    private BenchModel(string name, string description, byte[] onnx, int inputSize, int cropSize, ITransformer chain, string chainScoreColumn,
        ResNet torchPeer, bool torchHasSameWeights)
    {
        Name = name;
        Description = description;
        Onnx = onnx;
        InputSize = inputSize;
        CropSize = cropSize;
        Chain = chain;
        ChainScoreColumn = chainScoreColumn;
        TorchPeer = torchPeer;
        TorchHasSameWeights = torchHasSameWeights;
        _owned.Add(torchPeer);
        if (chain is IDisposable d)
        {
            _owned.Add(d);
        }
    }

    public string Name { get; }

    public string Description { get; }

    public byte[] Onnx { get; }

    /// <summary>Side of the square the chain resizes to (the graph's input).</summary>
    public int InputSize { get; }

    /// <summary>Side of the centre crop the graph takes.</summary>
    public int CropSize { get; }

    /// <summary>The ML.NET chain from an image-path column to the score column.</summary>
    public ITransformer Chain { get; }

    public string ChainScoreColumn { get; }

    /// <summary>A TorchSharp network of the same architecture, in eval mode, with ImageNet normalisation.</summary>
    public ResNet TorchPeer { get; }

    /// <summary>Whether <see cref="TorchPeer"/> holds the exported weights (then its scores are compared too).</summary>
    public bool TorchHasSameWeights { get; }

    /// <summary>ML.NET's pretrained ResNet18 fine-tuned by FineTuneResNet (feature extraction, one epoch) on a few images.</summary>
    public static BenchModel ResNet18(MLContext ml, ImageSet images, int trainImages, Action<string> log)
    {
        var rows = ml.Data.LoadFromEnumerable(images.Rows.Take(trainImages));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(rows).Transform(rows);
        var trainer = ml.Transforms.FineTuneResNet(new ResNetFineTuneTrainer.Options
        {
            ImageColumnName = nameof(ImageSet.Row.ImagePath),
            ImageFolder = images.Root,
            Strategy = FreezeStrategy.FeatureExtraction,
            Augmentation = AugmentationOptions.EvalOnly(256, 224),
            Epochs = 1,
            BatchSize = 16,
            ValidationFraction = 0.25,
            Log = log,
        });
        var fitted = trainer.Fit(keyed);

        // The peer: the same layout and head (ML.NET's ResNet18 has three blocks in layer4; the feature-extraction
        // head is 512-256-ReLU-Dropout-K) with random weights: speed does not depend on the values.
        torch.random.manual_seed(1);
        var peer = new ResNet(ResNetLayout.MLNetResNet18, numClasses: 2);
        peer.ReplaceHead(nn.Sequential(nn.Linear(512, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 2)));
        peer.eval();
        return new BenchModel("ResNet18 (ML.NET pretrained, FineTuneResNet)",
            "ML.NET's ImageNet ResNet18 (Basic [2,2,2,3]) + MLP head, FineTuneResNet FeatureExtraction, 1 epoch; resize 256, crop 224",
            fitted.OnnxModel.ToArray(), 256, 224, fitted, "Score", peer, torchHasSameWeights: false);
    }

    /// <summary>
    /// torchvision's resnet50 layout with random weights (no torchvision weights file needed: speed does not depend on
    /// the values), exported through ResNetOnnxWriter as ResNetFineTuneTrainer exports, scored by a hand-built chain of
    /// the same ML.NET transformers as the fitted transformer's.
    /// </summary>
    public static BenchModel ResNet50(MLContext ml, ImageSet images)
    {
        torch.random.manual_seed(1);
        var net = new ResNet(ResNetLayout.ResNet50, numClasses: 2);
        net.eval();
        var spec = new ResNetOnnxSpec(ResidualBlockKind.Bottleneck, ResNetLayout.ResNet50.BlocksPerStage)
        {
            ArchitectureName = "resnet50",
            NetworkChannels = 3,
            InputChannels = 3,
            InputSize = 256,
            CropSize = 224,
            Mean = net.Normalization.Mean,
            Std = net.Normalization.Std,
            Head = ClassifierHeadKind.Linear,
            Activation = OutputActivation.Softmax,
            InputName = PixelsColumn,
            OutputName = ScoreColumn,
            IncludePredictionOutputs = true,
            PredictedIndexName = BinaryOutputs[1],
            ProbabilityName = BinaryOutputs[2],
            LogitName = BinaryOutputs[3],
        };
        var metadata = new ModelMetadata { ClassLabels = new[] { "NORMAL", "OPACITY" }, Task = PredictionTask.Binary };
        byte[] onnx = ResNetOnnxWriter.Write(OnnxExport.Snapshot(net), spec, metadata);

        // A file in the image folder (deleted with it), not a MemoryStream: ML.NET 5.0.1 copies a stream to a temp file
        // it never deletes (see src/MLNetTransfer/Scoring/OnnxModelFile.cs).
        string onnxFile = Path.Combine(images.Root, "resnet50.onnx");
        File.WriteAllBytes(onnxFile, onnx);
        var data = images.ScoringData(ml);
        var chain = ml.Transforms.LoadImages(ImageColumn, images.Root, nameof(ImageSet.Row.ImagePath))
            .Append(ml.Transforms.ResizeImages(ResizedColumn, 256, 256, ImageColumn, ImageResizingEstimator.ResizingKind.IsoCrop, ImageResizingEstimator.Anchor.Center))
            .Append(ml.Transforms.ExtractPixels(PixelsColumn, ResizedColumn))
            .Append(ml.Transforms.ApplyOnnxModel(BinaryOutputs, new[] { PixelsColumn }, onnxFile))
            .Fit(data);
        return new BenchModel("ResNet50 (random weights)",
            "torchvision resnet50 layout (Bottleneck [3,4,6,3]) + Linear head, random weights, ResNetOnnxWriter; resize 256, crop 224",
            onnx, 256, 224, chain, ScoreColumn, net, torchHasSameWeights: true);
    }

    /// <summary>The ML.NET transformers of the chain up to ExtractPixels, built with the chain's parameters.</summary>
    public ITransformer Preprocessing(MLContext ml, ImageSet images) =>
        ml.Transforms.LoadImages(ImageColumn, images.Root, nameof(ImageSet.Row.ImagePath))
            .Append(ml.Transforms.ResizeImages(ResizedColumn, InputSize, InputSize, ImageColumn, ImageResizingEstimator.ResizingKind.IsoCrop, ImageResizingEstimator.Anchor.Center))
            .Append(ml.Transforms.ExtractPixels(PixelsColumn, ResizedColumn))
            .Fit(images.ScoringData(ml));

    public void Dispose()
    {
        foreach (var d in _owned)
        {
            d.Dispose();
        }
    }
}
