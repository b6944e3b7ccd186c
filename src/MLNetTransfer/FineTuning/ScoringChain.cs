using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNetTransfer.Data;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer.FineTuning;

/// <summary>
/// The fitted model as a chain of ML.NET's own transformers (DESIGN.md decision 5): load the image if the column holds
/// paths, resize it (shorter side to the training resize, centre crop to a square, as the training's evaluation
/// transform), extract 0–255 RGB planes, run the ONNX graph (centre crop, channels, normalisation, network, softmax or
/// sigmoid, prediction outputs), then turn the per-row vectors into the columns ML.NET's evaluators and
/// <c>MapKeyToValue</c> expect. <c>mlContext.Model.Save</c> writes it like any chain, and it loads where only
/// Microsoft.ML, ImageAnalytics and OnnxTransformer are referenced.
/// </summary>
internal static class ScoringChain
{
    /// <summary>Prefix of the chain's working columns, dropped at the end.</summary>
    public const string Prefix = "MLNetTransfer.";
    public const string Image = Prefix + "Image";
    public const string Resized = Prefix + "Resized";
    public const string Pixels = Prefix + "Pixels";
    public const string Score = Prefix + "Score";
    public const string PredictedIndex = Prefix + "PredictedIndex";
    public const string Probability = Prefix + "Probability";
    public const string Logit = Prefix + "Logit";
    public const string PredictedValue = Prefix + "PredictedValue";

    public static TransformerChain<ITransformer> Build(MLContext ml, IDataView input, ResNetFineTuneOptions options, LabelSchema labels, int resizeTo, byte[] onnx)
    {
        var parts = new List<ITransformer>();
        var temporaries = new List<string>();
        IDataView current = input;
        void Add(ITransformer t)
        {
            parts.Add(t);
            current = t.Transform(current);
        }

        string image = options.ImageColumnName;
        var imageType = SchemaChecks.Find(input.Schema, image).Type;
        if (imageType is not ImageDataViewType)
        {
            // Paths: ML.NET decodes them the way its users' apps will at scoring time. (Encoded bytes are refused
            // before training: LoadImages reads paths only, SchemaChecks.EncodedBytesRefused.)
            Add(ml.Transforms.LoadImages(Image, options.ImageFolder, image).Fit(current));
            temporaries.Add(Image);
            image = Image;
        }

        Add(ml.Transforms.ResizeImages(Resized, resizeTo, resizeTo, image, ImageResizingEstimator.ResizingKind.IsoCrop, ImageResizingEstimator.Anchor.Center).Fit(current));
        Add(ml.Transforms.ExtractPixels(Pixels, Resized).Fit(current));
        temporaries.Add(Resized);
        temporaries.Add(Pixels);

        bool singleLabel = labels.Task != TaskKind.MultiLabel;
        bool binary = labels.Task == TaskKind.Binary;
        var outputs = new List<string> { Score };
        if (singleLabel)
        {
            outputs.Add(PredictedIndex);
        }

        if (binary)
        {
            outputs.Add(Probability);
            outputs.Add(Logit);
        }

        Add(ApplyOnnx(ml, outputs.ToArray(), onnx, options, current));
        temporaries.AddRange(outputs);

        if (binary)
        {
            Add(IdentityPerceptron.Create(ml, Probability));
            Add(ml.Transforms.CopyColumns(options.ProbabilityColumnName, "Score").Fit(current));
            Add(IdentityPerceptron.Create(ml, Logit));
            Add(ml.Transforms.CopyColumns(options.LogitColumnName, "Score").Fit(current));
        }

        if (singleLabel)
        {
            Add(IdentityPerceptron.Create(ml, PredictedIndex));
            foreach (var t in PredictedLabel(ml, current, labels, options.PredictedLabelColumnName))
            {
                Add(t);
            }

            temporaries.Add(PredictedValue);
        }

        Add(ml.Transforms.CopyColumns(options.ScoreColumnName, Score).Fit(current));
        Add(ml.Transforms.DropColumns(temporaries.Distinct().ToArray()).Fit(current));
        return new TransformerChain<ITransformer>(parts.ToArray());
    }

    // GPU: ONNX Runtime's CUDA provider when asked for. ML.NET's own fallbackToCpu does not catch a CPU-only
    // onnxruntime (it throws EntryPointNotFoundException for OrtSessionOptionsAppendExecutionProvider_CUDA), so the
    // fallback rule is applied here.
    private static ITransformer ApplyOnnx(MLContext ml, string[] outputs, byte[] onnx, ResNetFineTuneOptions options, IDataView current)
    {
        if (options.GpuDeviceId is null)
        {
            return ml.Transforms.ApplyOnnxModel(outputs, new[] { Pixels }, new MemoryStream(onnx)).Fit(current);
        }

        try
        {
            return ml.Transforms.ApplyOnnxModel(outputs, new[] { Pixels }, new MemoryStream(onnx), options.GpuDeviceId, fallbackToCpu: false).Fit(current);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException or TargetInvocationException or InvalidOperationException
            || e.GetType().Name == "OnnxRuntimeException")
        {
            if (!options.FallbackToCpu)
            {
                throw new InvalidOperationException(
                    $"ONNX Runtime could not use GPU {options.GpuDeviceId} ({e.GetType().Name}: {e.Message}). Reference Microsoft.ML.OnnxRuntime.Gpu on a machine with CUDA, or set FallbackToCpu.", e);
            }

            return ml.Transforms.ApplyOnnxModel(outputs, new[] { Pixels }, new MemoryStream(onnx)).Fit(current);
        }
    }

    // PredictedLabel: the predicted index (a scalar float Score after the identity perceptron) mapped to the label's
    // value, then to a key whose values and order are the label key's, so MapKeyToValue gives the original labels.
    private static IEnumerable<ITransformer> PredictedLabel(MLContext ml, IDataView current, LabelSchema labels, string outputColumn)
    {
        var method = typeof(ScoringChain).GetMethod(nameof(PredictedLabelTyped), BindingFlags.NonPublic | BindingFlags.Static)!;
        var valueType = labels.KeyValueType == typeof(ReadOnlyMemory<char>) ? typeof(string) : labels.KeyValueType;
        return (IEnumerable<ITransformer>)method.MakeGenericMethod(valueType).Invoke(null, new object[] { ml, current, labels, outputColumn })!;
    }

    private sealed class KeyRow<T>
    {
        public T Value { get; set; } = default!;
    }

    private static IEnumerable<ITransformer> PredictedLabelTyped<T>(MLContext ml, IDataView current, LabelSchema labels, string outputColumn)
    {
        var values = labels.KeyValues<T>();
        var pairs = values.Select((v, i) => new KeyValuePair<float, T>(i, v));
        var map = ml.Transforms.Conversion.MapValue(PredictedValue, pairs, "Score").Fit(current);
        var mapped = map.Transform(current);
        var keyData = ml.Data.LoadFromEnumerable(values.Select(v => new KeyRow<T> { Value = v }));
        var key = ml.Transforms.Conversion.MapValueToKey(outputColumn, PredictedValue, keyData: keyData).Fit(mapped);
        return new ITransformer[] { map, key };
    }
}
