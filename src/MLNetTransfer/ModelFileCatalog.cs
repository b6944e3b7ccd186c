using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using Microsoft.ML;
using MLNetTransfer.FineTuning;
using MLNetTransfer.Onnx;
using Onnx;

namespace MLNetTransfer;

/// <summary>
/// What a saved model.zip of a fine-tuned ResNet carries besides ML.NET's chain: its ONNX graph and the calibration and
/// operating threshold fitted on validation data. Use on <c>mlContext.Model</c>; needs neither TorchSharp nor a GPU.
/// </summary>
public static class ModelFileCatalog
{
    /// <summary>
    /// The ONNX graph inside a model.zip saved from a <see cref="ResNetFineTuneTransformer"/> (or a featurizer): raw 0-255
    /// pixel planes in, probabilities out. ML.NET's OnnxTransformer stores it as a stream named <c>OnnxModel</c>, an
    /// Int32 length and then the bytes (OnnxTransform.cs, <c>SaveModel</c>); ML.NET has no public API that returns it.
    /// </summary>
    /// <param name="catalog">The model catalog.</param>
    /// <param name="modelPath">The model.zip.</param>
    /// <exception cref="InvalidDataException">The file holds no ONNX graph, or more than one, or a damaged one; the message names the file.</exception>
    public static byte[] ExtractOnnx(this ModelOperationsCatalog catalog, string modelPath)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        string full = Path.GetFullPath(modelPath);
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(full);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{full}' is not a model.zip (not a zip archive: {e.Message}).", e);
        }

        using (zip)
        {
            try
            {
                return ReadOnnxEntry(zip, full);
            }
            catch (InvalidDataException e) when (!e.Message.Contains(full, StringComparison.Ordinal))
            {
                // System.IO.Compression reads the central directory and each entry lazily; its messages ("Number of
                // entries expected in End Of Central Directory does not correspond ...", a CRC mismatch) name no file.
                throw new InvalidDataException($"'{full}' is a damaged model.zip: {e.Message}", e);
            }
            catch (IOException e)
            {
                throw new InvalidDataException($"'{full}' is a damaged model.zip: {e.Message}", e);
            }
        }
    }

    private static byte[] ReadOnnxEntry(ZipArchive zip, string full)
    {
        var entries = zip.Entries.Where(e => e.Name == "OnnxModel").ToList();
        if (entries.Count != 1)
        {
            throw new InvalidDataException($"'{full}' holds {entries.Count} ONNX graphs; a fine-tuned or featurizing model holds exactly one.");
        }

        var entry = entries[0];
        using var reader = new BinaryReader(entry.Open());
        int length = reader.ReadInt32();
        if (length < 0 || length != entry.Length - sizeof(int))
        {
            throw new InvalidDataException($"'{full}': the ONNX stream {entry.FullName} says {length} bytes but holds {entry.Length - sizeof(int)}.");
        }

        byte[] bytes = reader.ReadBytes(length);
        return bytes.Length == length ? bytes : throw new InvalidDataException($"'{full}': the ONNX stream {entry.FullName} is cut short.");
    }

    /// <summary>
    /// The temperature, operating threshold and validation figures stored in a saved fine-tuned model (see
    /// <see cref="CalibrationResult"/>), read from its graph's metadata.
    /// </summary>
    /// <param name="catalog">The model catalog.</param>
    /// <param name="modelPath">The model.zip.</param>
    /// <exception cref="InvalidDataException">The file is not a model.zip of a fine-tuned ResNet written by this version's format (2 or later); the message names the file.</exception>
    public static CalibrationResult LoadCalibration(this ModelOperationsCatalog catalog, string modelPath)
    {
        var (props, full) = Metadata(catalog, modelPath);
        try
        {
            return Calibration(props, full);
        }
        catch (Exception e) when (e is JsonException or FormatException or OverflowException)
        {
            throw new InvalidDataException($"'{full}': its graph's calibration metadata cannot be read ({e.Message}).", e);
        }
    }

    /// <summary>
    /// What a saved fine-tuned model is fed: for a model trained with <see cref="ResNetFineTuneTrainer.Options.PixelReader"/>,
    /// the reader's description and the side of the input square, so that a scorer fills the
    /// <see cref="ResNetFineTuneTransformer.PixelsColumnName"/> column with <see cref="ImagePixelInput.LoadModelInput"/>
    /// and the same reader; null for a model fed ML.NET's 8-bit images (an image path or an MLImage column).
    /// </summary>
    /// <param name="catalog">The model catalog.</param>
    /// <param name="modelPath">The model.zip.</param>
    /// <exception cref="InvalidDataException">The file is not a model.zip with a readable ONNX graph; the message names the file.</exception>
    public static ModelPixelInput? LoadPixelInput(this ModelOperationsCatalog catalog, string modelPath)
    {
        var (props, full) = Metadata(catalog, modelPath);
        if (!props.TryGetValue(ModelMetadataKeys.Prefix + ModelCalibrationKeys.PixelReader, out var reader) || reader.Length == 0)
        {
            return null;
        }

        if (!props.TryGetValue(ModelMetadataKeys.InputSize, out var size) || !int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out int side) || side < 1)
        {
            throw new InvalidDataException($"'{full}' names a pixel reader but no valid '{ModelMetadataKeys.InputSize}' in its graph's metadata.");
        }

        return new ModelPixelInput(reader, side);
    }

    // The graph's metadata_props of a model.zip, with the file's full path for messages.
    private static (Dictionary<string, string> Props, string Full) Metadata(ModelOperationsCatalog catalog, string modelPath)
    {
        byte[] onnx = ExtractOnnx(catalog, modelPath);
        string full = Path.GetFullPath(modelPath);
        try
        {
            return (ModelProto.Parser.ParseFrom(onnx).MetadataProps.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), full);
        }
        catch (Exception e) when (e is Google.Protobuf.InvalidProtocolBufferException or ArgumentException)
        {
            // ArgumentException: a metadata key stored twice (ToDictionary), which no writer of ours does.
            throw new InvalidDataException($"'{full}': its ONNX graph cannot be parsed ({e.Message}).", e);
        }
    }

    private static CalibrationResult Calibration(Dictionary<string, string> props, string full)
    {
        string Required(string key) => props.TryGetValue(key, out var value)
            ? value
            : throw new InvalidDataException($"'{full}' has no '{key}' in its graph's metadata: it was not written by a fine-tuning run of this version (ONNX format 2 or later).");
        double Extra(string key) => props.TryGetValue(ModelMetadataKeys.Prefix + key, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : double.NaN;

        var temperatures = Numbers(Required(ModelMetadataKeys.Temperatures));
        var thresholds = Numbers(Required(ModelMetadataKeys.Thresholds));
        string task = Required(ModelMetadataKeys.Task);
        string method = Required(ModelMetadataKeys.ThresholdMethod);
        bool flip = Required(ModelMetadataKeys.TestTimeFlip) == "true";
        return new CalibrationResult(temperatures, task == "multiclass" ? Array.Empty<double>() : thresholds, ParseMethod(method, full), Extra(ModelCalibrationKeys.ThresholdTarget),
            props.TryGetValue(ModelMetadataKeys.Prefix + ModelCalibrationKeys.ThresholdNote, out var note) && note.Length > 0 ? note : null, flip,
            Extra(ModelCalibrationKeys.ValidationLoss), Extra(ModelCalibrationKeys.ValidationLossUncalibrated), Extra(ModelCalibrationKeys.ValidationEce), Extra(ModelCalibrationKeys.ValidationEceUncalibrated));
    }

    private static double[] Numbers(string json) => JsonSerializer.Deserialize<double[]>(json) ?? Array.Empty<double>();

    private static ThresholdMethod ParseMethod(string name, string file)
    {
        foreach (var method in Enum.GetValues<ThresholdMethod>())
        {
            if (CalibrationResult.MethodName(method) == name)
            {
                return method;
            }
        }

        throw new InvalidDataException($"'{file}': unknown threshold method '{name}' in its metadata.");
    }
}
