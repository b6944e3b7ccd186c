// Scores images with a model.zip that MLNetTransfer trained and ml.Model.Save wrote, in an app that references only
// Microsoft.ML, Microsoft.ML.ImageAnalytics, Microsoft.ML.OnnxTransformer and Microsoft.ML.OnnxRuntime: no TorchSharp,
// no libtorch, no MLNetTransfer assembly (docs/design.md, "Persistence through ML.NET's transformers"). The app checks
// that about itself before it exits.
//
//   dotnet run -c Release --project samples/ScoreInExistingApp -- <model.zip> <image or folder>... [--json]
//
// Folders are searched recursively for .png, .jpg, .jpeg, .bmp, .gif and .webp files. Relative paths are made absolute:
// the saved LoadImages joins a relative path to the training image folder, which need not exist here.
//
// The image path column: the first Text column of the model's input schema (the schema passed to ml.Model.Save, that is,
// the training rows). MLNetTransfer's samples name it ImagePath; whatever its name, it is read from the model. The other
// input columns (a string label that MapValueToKey reads, a patient id) get empty values: scoring does not use them.
//
// Output: a table of the predicted label and the class probabilities per image, or with --json a JSON document with the
// file, the predicted label and the Score vector in round-trip ("R") precision.
//
// Exit codes: 0 all images scored; 1 wrong arguments; 2 the model file is missing or cannot be loaded; 3 an input path
// is missing or no images were found; 4 an image could not be read or scored (the others are still reported);
// 5 TorchSharp, libtorch or an MLNetTransfer assembly is present in this app (it must not be).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;

namespace ScoreInExistingApp;

internal static class Program
{
    private static readonly string[] ImageExtensions = { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    private sealed record Prediction(string File, string PredictedLabel, float[] Score, float? Probability);

    private sealed record Failure(string File, string Error);

    private static int Main(string[] args)
    {
        bool json = args.Contains("--json", StringComparer.Ordinal);
        var positional = args.Where(a => a != "--json").ToList();
        var unknown = positional.FirstOrDefault(a => a.StartsWith("--", StringComparison.Ordinal));
        if (unknown is not null || positional.Count < 2)
        {
            Console.Error.WriteLine(unknown is null ? "A model and at least one image or folder are needed." : $"Unknown option '{unknown}'.");
            Console.Error.WriteLine("Usage: ScoreInExistingApp <model.zip> <image or folder>... [--json]");
            return 1;
        }

        if (Isolation.Violations() is { Count: > 0 } present)
        {
            Console.Error.WriteLine($"This app must run without TorchSharp and MLNetTransfer, but its folder holds: {string.Join(", ", present)}");
            return 5;
        }

        string modelPath = Path.GetFullPath(positional[0]);
        if (!File.Exists(modelPath))
        {
            Console.Error.WriteLine($"Model file not found: {modelPath}");
            return 2;
        }

        var images = new List<string>();
        foreach (var input in positional.Skip(1))
        {
            string full = Path.GetFullPath(input);
            if (Directory.Exists(full))
            {
                images.AddRange(Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                    .Where(f => ImageExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal));
            }
            else if (File.Exists(full))
            {
                images.Add(full);
            }
            else
            {
                Console.Error.WriteLine($"Image or folder not found: {full}");
                return 3;
            }
        }

        if (images.Count == 0)
        {
            Console.Error.WriteLine($"No images (.png, .jpg, .jpeg, .bmp, .gif, .webp) in: {string.Join(", ", positional.Skip(1))}");
            return 3;
        }

        var ml = new MLContext();
        // ML.NET finds the loaders of saved transformers in the assemblies it has seen; a fresh process may not have
        // loaded ImageAnalytics and OnnxTransformer yet when Model.Load runs.
        ml.ComponentCatalog.RegisterAssembly(typeof(ImageLoadingTransformer).Assembly);
        ml.ComponentCatalog.RegisterAssembly(typeof(OnnxTransformer).Assembly);

        ITransformer model;
        DataViewSchema inputSchema;
        try
        {
            model = ml.Model.Load(modelPath, out inputSchema);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"Could not load the model {modelPath}: {e.GetType().Name}: {e.Message}");
            return 2;
        }

        try
        {
            var pathColumn = PathColumn.Find(inputSchema);
            if (pathColumn is null)
            {
                Console.Error.WriteLine(
                    $"The model {modelPath} takes no Text column for image paths; its input columns are: " +
                    string.Join(", ", inputSchema.Select(c => $"{c.Name} ({c.Type})")));
                return 2;
            }

            var (predictions, failures, classes) = Score(ml, model, inputSchema, pathColumn.Value, images);
            foreach (var failure in failures)
            {
                Console.Error.WriteLine($"Could not score {failure.File}: {failure.Error}");
            }

            if (json)
            {
                Console.WriteLine(ToJson(modelPath, pathColumn.Value.Name, classes, predictions, failures));
            }
            else
            {
                PrintTable(classes, predictions);
            }

            if (Isolation.LoadedAssemblies() is { Count: > 0 } loaded)
            {
                Console.Error.WriteLine($"This app must score without TorchSharp and MLNetTransfer, but loaded: {string.Join(", ", loaded)}");
                return 5;
            }

            return failures.Count == 0 ? 0 : 4;
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    private static (List<Prediction>, List<Failure>, IReadOnlyList<string>) Score(
        MLContext ml, ITransformer model, DataViewSchema inputSchema, DataViewSchema.Column pathColumn, IReadOnlyList<string> images)
    {
        var outputSchema = model.GetOutputSchema(inputSchema);
        var score = outputSchema.GetColumnOrNull("Score")
            ?? throw new InvalidOperationException("The model has no Score column; was it trained with MLNetTransfer's FineTuneResNet?");
        var predicted = outputSchema.GetColumnOrNull("PredictedLabel");
        var probability = outputSchema.GetColumnOrNull("Probability");
        if (probability is { } p && p.Type != NumberDataViewType.Single)
        {
            probability = null;
        }

        var predictions = new List<Prediction>();
        var failures = new List<Failure>();
        foreach (var image in images)
        {
            // ML.NET's image loader gives an unreadable file as an empty image; decode it first to say which file it is.
            try
            {
                using var decoded = MLImage.CreateFromFile(image);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                // MLImage says "Invalid path" for any file it cannot decode; the file exists, so it is not an image.
                failures.Add(new Failure(image, "not a readable image: ML.NET's image decoder (SkiaSharp) cannot decode it"));
                continue;
            }

            try
            {
                // One row at a time: ML.NET's OnnxTransformer runs one row per call anyway, and a failure names its file.
                var scored = model.Transform(new InputRows(inputSchema, pathColumn.Index, new[] { image }));
                using var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Index == score.Index || c.Index == predicted?.Index || c.Index == probability?.Index));
                var getScore = cursor.GetGetter<VBuffer<float>>(score);
                var getLabel = predicted is { } column ? LabelGetter(cursor, column) : null;
                var getProbability = probability is { } pc ? cursor.GetGetter<float>(pc) : null;
                if (!cursor.MoveNext())
                {
                    throw new InvalidOperationException("the model returned no row");
                }

                VBuffer<float> vector = default;
                getScore(ref vector);
                float probabilityValue = 0;
                getProbability?.Invoke(ref probabilityValue);
                predictions.Add(new Prediction(image, getLabel?.Invoke() ?? "", vector.DenseValues().ToArray(), getProbability is null ? null : probabilityValue));
            }
            catch (Exception e)
            {
                failures.Add(new Failure(image, $"{e.GetType().Name}: {e.Message}"));
            }
        }

        return (predictions, failures, ClassNames(outputSchema, score));
    }

    // PredictedLabel is Text after MapKeyToValue, or a key whose KeyValues annotation names the classes.
    private static Func<string>? LabelGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (column.Type is TextDataViewType)
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            return () =>
            {
                ReadOnlyMemory<char> value = default;
                getter(ref value);
                return value.ToString();
            };
        }

        if (column.Type is KeyDataViewType { RawType: var raw } && raw == typeof(uint))
        {
            var getter = cursor.GetGetter<uint>(column);
            var names = KeyValues(column);
            return () =>
            {
                uint key = 0;
                getter(ref key);
                return key == 0 ? "" : names is not null && key <= names.Count ? names[(int)key - 1] : key.ToString(CultureInfo.InvariantCulture);
            };
        }

        return null;
    }

    // The names of Score's entries: its SlotNames if present, else the KeyValues of the PredictedLabel key (hidden behind a
    // MapKeyToValue of the same name), else of any key column with as many values as Score has entries (the label).
    private static IReadOnlyList<string> ClassNames(DataViewSchema outputSchema, DataViewSchema.Column score)
    {
        int size = score.Type is VectorDataViewType { Size: > 0 } vector ? vector.Size : 0;
        if (score.HasSlotNames())
        {
            VBuffer<ReadOnlyMemory<char>> slotNames = default;
            score.GetSlotNames(ref slotNames);
            if (slotNames.Length == size)
            {
                return slotNames.DenseValues().Select(s => s.ToString()).ToList();
            }
        }

        var keyColumns = outputSchema.Where(c => c.Type is KeyDataViewType)
            .OrderByDescending(c => c.Name == "PredictedLabel")
            .Select(KeyValues)
            .Where(names => names is not null && names.Count == size);
        return keyColumns.FirstOrDefault() ?? Enumerable.Range(0, size).Select(i => $"class {i}").ToList();
    }

    private static IReadOnlyList<string>? KeyValues(DataViewSchema.Column column)
    {
        const string KeyValuesKind = "KeyValues";
        var type = column.Annotations.Schema.GetColumnOrNull(KeyValuesKind)?.Type;
        if (type is not VectorDataViewType vector)
        {
            return null;
        }

        if (vector.ItemType is TextDataViewType)
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            column.GetKeyValues(ref values);
            return values.DenseValues().Select(v => v.ToString()).ToList();
        }

        if (vector.ItemType is BooleanDataViewType)
        {
            VBuffer<bool> values = default;
            column.Annotations.GetValue(KeyValuesKind, ref values);
            return values.DenseValues().Select(v => v ? "true" : "false").ToList();
        }

        return null;
    }

    private static void PrintTable(IReadOnlyList<string> classes, IReadOnlyList<Prediction> predictions)
    {
        if (predictions.Count == 0)
        {
            return;
        }

        string common = CommonFolder(predictions.Select(p => p.File));
        var names = predictions.Select(p => Path.GetRelativePath(common, p.File)).ToList();
        int fileWidth = Math.Max("file".Length, names.Max(n => n.Length));
        int labelWidth = Math.Max("predicted".Length, predictions.Max(p => p.PredictedLabel.Length));
        var widths = classes.Select(c => Math.Max(c.Length, 8)).ToList();
        Console.WriteLine($"Images under {common}");
        Console.WriteLine($"{"file".PadRight(fileWidth)}  {"predicted".PadRight(labelWidth)}  {string.Join("  ", classes.Select((c, i) => c.PadLeft(widths[i])))}");
        Console.WriteLine($"{new string('-', fileWidth)}  {new string('-', labelWidth)}  {string.Join("  ", widths.Select(w => new string('-', w)))}");
        for (int i = 0; i < predictions.Count; i++)
        {
            var p = predictions[i];
            var cells = p.Score.Select((s, c) => s.ToString("0.0000", CultureInfo.InvariantCulture).PadLeft(c < widths.Count ? widths[c] : 8));
            Console.WriteLine($"{names[i].PadRight(fileWidth)}  {p.PredictedLabel.PadRight(labelWidth)}  {string.Join("  ", cells)}");
        }
    }

    private static string CommonFolder(IEnumerable<string> files)
    {
        var folders = files.Select(f => Path.GetDirectoryName(f) ?? "").Distinct().ToList();
        string common = folders[0];
        foreach (var folder in folders.Skip(1))
        {
            while (common.Length > 0 && !(folder == common || folder.StartsWith(common.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            {
                common = Path.GetDirectoryName(common) ?? "";
            }
        }

        return common.Length == 0 ? Path.GetPathRoot(folders[0]) ?? "" : common;
    }

    private static string ToJson(string model, string pathColumn, IReadOnlyList<string> classes, IReadOnlyList<Prediction> predictions, IReadOnlyList<Failure> failures)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("model", model);
            writer.WriteString("pathColumn", pathColumn);
            writer.WriteStartArray("classes");
            foreach (var c in classes)
            {
                writer.WriteStringValue(c);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("predictions");
            foreach (var p in predictions)
            {
                writer.WriteStartObject();
                writer.WriteString("file", p.File);
                writer.WriteString("predictedLabel", p.PredictedLabel);
                writer.WritePropertyName("score");
                writer.WriteRawValue("[" + string.Join(", ", p.Score.Select(FloatText)) + "]");
                if (p.Probability is { } probability)
                {
                    writer.WritePropertyName("probability");
                    writer.WriteRawValue(FloatText(probability));
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("errors");
            foreach (var f in failures)
            {
                writer.WriteStartObject();
                writer.WriteString("file", f.File);
                writer.WriteString("error", f.Error);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    // Round-trip precision: parsing the text as a float gives back the same bits. JSON has no NaN or infinity: strings.
    private static string FloatText(float value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return float.IsFinite(value) ? text : $"\"{text}\"";
    }
}

/// <summary>Checks that this app really scores without the training stack.</summary>
internal static class Isolation
{
    private static bool IsTrainingStack(string name) =>
        name.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("MLNetTransfer", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("libLibTorchSharp", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("LibTorchSharp", StringComparison.OrdinalIgnoreCase);

    /// <summary>Assemblies of TorchSharp or MLNetTransfer loaded into this process.</summary>
    public static List<string> LoadedAssemblies() =>
        AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name ?? "").Where(IsTrainingStack).ToList();

    /// <summary>TorchSharp, libtorch or MLNetTransfer files in this app's folder (native ones under runtimes/ included).</summary>
    public static List<string> Violations() =>
        Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories)
            .Where(f => IsTrainingStack(Path.GetFileName(f)))
            .Select(f => Path.GetRelativePath(AppContext.BaseDirectory, f))
            .Concat(LoadedAssemblies())
            .ToList();
}
