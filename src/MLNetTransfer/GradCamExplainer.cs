using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML;
using MLNetTransfer.Explain;
using MLNetTransfer.Onnx;
using MLNetTransfer.Scoring;
using MLNetTransfer.Torch.Explain;
using Onnx;

namespace MLNetTransfer;

/// <summary>
/// Explains a fine-tuned ResNet's predictions with Grad-CAM (Selvaraju et al., "Grad-CAM: Visual Explanations from Deep
/// Networks via Gradient-based Localization", ICCV 2017). Made by <see cref="GradCamCatalog.LoadGradCam"/> from a saved
/// model.zip or by <see cref="GradCamCatalog.CreateGradCam"/> from a trained transformer.
/// </summary>
/// <remarks>
/// The network is rebuilt in TorchSharp from the ONNX graph the model carries (every weight is in it), so the model
/// itself stays scorable with ML.NET and ONNX Runtime alone; explaining needs libtorch (a TorchSharp runtime package) on
/// the explaining machine only. Images reach the network exactly as the saved chain feeds them: ML.NET's LoadImages,
/// ResizeImages and ExtractPixels, then the graph's own crop, channel conversion and normalisation. Not thread-safe;
/// dispose to release the network's native memory.
/// </remarks>
public sealed class GradCamExplainer : IDisposable
{
    private readonly GradCamNetwork _network;
    private readonly IModelPixelLoader _pixels;
    private readonly float[] _thresholds;
    private readonly string[] _classNames;
    private bool _disposed;

    private GradCamExplainer(GradCamNetwork network, IModelPixelLoader pixels, string[] classNames, bool multiLabel, float[] thresholds)
    {
        _network = network;
        _pixels = pixels;
        _classNames = classNames;
        IsMultiLabel = multiLabel;
        _thresholds = thresholds;
    }

    /// <summary>The stage explained when none is named: <c>layer4</c>, the last, most class-specific one.</summary>
    public const string DefaultStage = GradCamStage.Default;

    /// <summary>The stages that can be explained: <c>layer1</c>, <c>layer2</c>, <c>layer3</c>, <c>layer4</c>.</summary>
    public static IReadOnlyList<string> Stages => GradCamStage.Names;

    /// <summary>The model's classes (single-label) or labels (multi-label), in output order.</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>Whether the model is multi-label (a sigmoid per label) rather than single-label (softmax).</summary>
    public bool IsMultiLabel { get; }

    /// <summary>The side of the square images are resized to before the model's centre crop.</summary>
    public int InputSize => _pixels.Size;

    /// <summary>Grad-CAM of one class for the image at <paramref name="imagePath"/>.</summary>
    /// <param name="imagePath">An image file ML.NET's LoadImages reads (PNG, JPEG, BMP, …).</param>
    /// <param name="classIndex">The class or label to explain, an index into <see cref="ClassNames"/>.</param>
    /// <param name="stage">The stage whose activations make the map; default <see cref="DefaultStage"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classIndex"/> is not a class of the model.</exception>
    /// <exception cref="ArgumentException"><paramref name="stage"/> is not one of <see cref="Stages"/>; the message names the valid ones.</exception>
    /// <exception cref="FileNotFoundException">No such image file.</exception>
    /// <exception cref="InvalidDataException">The file cannot be decoded; the message names it.</exception>
    public GradCamMap Explain(string imagePath, int classIndex, string stage = DefaultStage)
    {
        int stageIndex = CheckArguments(imagePath, classIndex, stage);
        return Explain(_pixels.LoadPlanes(imagePath), 3, imagePath, classIndex, stageIndex, stage).Map;
    }

    /// <summary>Grad-CAM of the class named <paramref name="className"/> for the image at <paramref name="imagePath"/>.</summary>
    /// <param name="imagePath">An image file ML.NET's LoadImages reads.</param>
    /// <param name="className">One of <see cref="ClassNames"/> (ordinal comparison).</param>
    /// <param name="stage">The stage whose activations make the map; default <see cref="DefaultStage"/>.</param>
    /// <exception cref="ArgumentException">No class of that name (the message lists them), or an unknown stage.</exception>
    /// <exception cref="FileNotFoundException">No such image file.</exception>
    /// <exception cref="InvalidDataException">The file cannot be decoded; the message names it.</exception>
    public GradCamMap Explain(string imagePath, string className, string stage = DefaultStage) =>
        Explain(imagePath, ClassIndexOf(className), stage);

    /// <summary>
    /// Grad-CAM of what the model predicts for the image: single-label, the predicted class (with the model's operating
    /// threshold for two classes, the argmax otherwise); multi-label, every label whose score reaches its threshold, or
    /// the top-scoring label when none does.
    /// </summary>
    /// <param name="imagePath">An image file ML.NET's LoadImages reads.</param>
    /// <param name="stage">The stage whose activations make the maps; default <see cref="DefaultStage"/>.</param>
    /// <exception cref="ArgumentException">An unknown stage.</exception>
    /// <exception cref="FileNotFoundException">No such image file.</exception>
    /// <exception cref="InvalidDataException">The file cannot be decoded; the message names it.</exception>
    public IReadOnlyList<GradCamMap> ExplainPrediction(string imagePath, string stage = DefaultStage)
    {
        CheckArguments(imagePath, 0, stage);
        return ExplainPrediction(_pixels.LoadPlanes(imagePath), 3, imagePath, stage);
    }

    /// <summary>
    /// <see cref="ExplainPrediction(string, string)"/> for pixels already in the graph's input form (see
    /// <see cref="Explain(float[], int, string, int, string)"/>).
    /// </summary>
    internal IReadOnlyList<GradCamMap> ExplainPrediction(float[] planes, int channels, string source, string stage)
    {
        int stageIndex = CheckArguments(source, 0, stage);
        var (first, scores) = Explain(planes, channels, source, 0, stageIndex, stage);
        return Predicted(scores).Select(c => c == 0 ? first : Explain(planes, channels, source, c, stageIndex, stage).Map).ToList();
    }

    /// <summary>The class name's index; throws an <see cref="ArgumentException"/> that lists the model's classes.</summary>
    public int ClassIndexOf(string className)
    {
        ArgumentNullException.ThrowIfNull(className);
        int index = Array.IndexOf(_classNames, className);
        return index >= 0
            ? index
            : throw new ArgumentException($"class '{className}' is not a class of the model; its classes are {string.Join(", ", _classNames.Select(n => $"'{n}'"))}.", nameof(className));
    }

    /// <summary>
    /// Grad-CAM for pixels already in the graph's input form: planar <c>[channels, InputSize, InputSize]</c> values as the
    /// chain's ExtractPixels gives them (0–255 for 8-bit images). The entry point for pixel readers other than ML.NET's.
    /// </summary>
    internal GradCamMap Explain(float[] planes, int channels, string source, int classIndex, string stage)
    {
        int stageIndex = CheckArguments(source, classIndex, stage);
        return Explain(planes, channels, source, classIndex, stageIndex, stage).Map;
    }

    // The map and the model's scores for every class on the image.
    private (GradCamMap Map, float[] Scores) Explain(float[] planes, int channels, string source, int classIndex, int stageIndex, string stage)
    {
        var result = _network.Explain(planes, channels, _pixels.Size, classIndex, stageIndex);
        var maps = result.Maps;
        return (new GradCamMap(source, classIndex, _classNames[classIndex], stage, result.Scores[classIndex], maps.Map, maps.Width, maps.Height, result.Image, result.ImageChannels), result.Scores);
    }

    private IEnumerable<int> Predicted(float[] scores)
    {
        if (IsMultiLabel)
        {
            var over = Enumerable.Range(0, scores.Length).Where(i => scores[i] >= (_thresholds.Length == 1 ? _thresholds[0] : _thresholds[i])).ToList();
            return over.Count > 0 ? over : new[] { ArgMax(scores) };
        }

        // Binary softmax: class 1 when its probability reaches the operating threshold (the graph's PredictedIndex rule).
        return scores.Length == 2 ? new[] { scores[1] >= _thresholds[0] ? 1 : 0 } : new[] { ArgMax(scores) };
    }

    private static int ArgMax(float[] values) => Array.IndexOf(values, values.Max());

    private int CheckArguments(string imagePath, int classIndex, string stage)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrEmpty(imagePath);
        if (classIndex < 0 || classIndex >= _classNames.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex, $"The model has {_classNames.Length} classes: {string.Join(", ", _classNames)}.");
        }

        return GradCamStage.Index(stage, nameof(stage));
    }

    /// <summary>Releases the network's native memory.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _network.Dispose();
            _pixels.Dispose();
        }
    }

    // The images of a full-precision model are read as it was trained on them: by the reader its graph names.
    private static IImagePixelReader? Reader(Dictionary<string, string> props, IImagePixelReader? given, string source)
    {
        string stored = props.TryGetValue(ModelMetadataKeys.Prefix + FineTuning.ModelCalibrationKeys.PixelReader, out var value) ? value : "";
        if (stored.Length == 0)
        {
            return given is null ? null : throw new ArgumentException(
                $"'{source}' was trained on ML.NET's 8-bit images, not on pixels read by '{given.Description}'; explain it without a reader.", "pixelReader");
        }

        if (given is not null)
        {
            return given.Description == stored ? given : throw new ArgumentException(
                $"'{source}' was trained on pixels read by '{stored}', not '{given.Description}': pass the reader it was trained with.", "pixelReader");
        }

        return ImageFileReader.TryFromDescription(stored, out var files) ? files : throw new ArgumentException(
            $"'{source}' was trained on pixels read by '{stored}': pass that reader (e.g. the MLNetTransfer.Dicom package's DicomPixelReader) to LoadGradCam.", "pixelReader");
    }

    /// <summary>Builds an explainer for a serialized graph of this library; <paramref name="source"/> names it in messages.</summary>
    /// <remarks>
    /// A model trained on full-precision pixels names its reader in the graph (<see cref="ModelFileCatalog.LoadPixelInput"/>):
    /// <paramref name="reader"/> must be that reader, or null for a PNG/JPEG reader the description rebuilds by itself.
    /// </remarks>
    internal static GradCamExplainer FromOnnx(MLContext ml, byte[] onnx, string source, IImagePixelReader? reader = null)
    {
        Dictionary<string, string> props;
        try
        {
            props = ModelProto.Parser.ParseFrom(onnx).MetadataProps.GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{source}': its ONNX graph cannot be parsed ({e.Message}).", e);
        }

        string Required(string key) => props.TryGetValue(key, out var value)
            ? value
            : throw new InvalidDataException($"'{source}' has no '{key}' in its graph's metadata: it is not a fine-tuned model of this library.");
        try
        {
            string activation = Required(ModelMetadataKeys.OutputActivation);
            if (activation is not ("softmax" or "sigmoid"))
            {
                throw new InvalidDataException($"'{source}' is a {activation} graph (a featurizer?); Grad-CAM explains a classifier's class scores.");
            }

            int size = int.Parse(Required(ModelMetadataKeys.InputSize), CultureInfo.InvariantCulture);
            int outputs = int.Parse(Required(ModelMetadataKeys.NumOutputs), CultureInfo.InvariantCulture);
            var temperatures = JsonSerializer.Deserialize<float[]>(Required(ModelMetadataKeys.Temperatures)) ?? new[] { 1f };
            var thresholds = JsonSerializer.Deserialize<float[]>(Required(ModelMetadataKeys.Thresholds)) ?? new[] { 0.5f };
            var names = props.TryGetValue(ModelMetadataKeys.ClassLabels, out var labels)
                ? JsonSerializer.Deserialize<string[]>(labels) ?? Array.Empty<string>()
                : Enumerable.Range(0, outputs).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
            if (names.Length != outputs)
            {
                throw new InvalidDataException($"'{source}' names {names.Length} classes for {outputs} outputs.");
            }

            var network = GradCamNetwork.FromOnnx(onnx, source, activation == "sigmoid" ? ScoreActivation.Sigmoid : ScoreActivation.Softmax, temperatures);
            try
            {
                // The image steps training used: ML.NET's (ScoringPixelLoader) or the model's reader (ReaderPixelLoader).
                IModelPixelLoader pixels = Reader(props, reader, source) is { } pixelReader ? new ReaderPixelLoader(pixelReader, size) : new ScoringPixelLoader(ml, size);
                return new GradCamExplainer(network, pixels, names, activation == "sigmoid", thresholds);
            }
            catch
            {
                network.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or OverflowException)
        {
            throw new InvalidDataException($"'{source}': its graph's metadata cannot be read ({e.Message}).", e);
        }
    }
}
