using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Image;
using Microsoft.ML.Transforms.Onnx;

namespace MLNetTransfer.Cli.Scoring;

/// <summary>
/// A model.zip loaded with ML.NET's <c>Model.Load</c>, as any ML.NET app would load it, and what the command line needs
/// to know about it: the image path column, the task and the class (or label) names, all read from its schemas.
/// </summary>
internal sealed class ModelFile : IDisposable
{
    private ModelFile(string path, ITransformer model, DataViewSchema inputSchema, string imageColumn, TaskKind task, IReadOnlyList<string> classNames,
        CalibrationResult? calibration, bool keysLabel, IImagePixelReader? pixelReader)
    {
        PixelReader = pixelReader;
        KeysLabel = keysLabel;
        Calibration = calibration;
        Path = path;
        Model = model;
        InputSchema = inputSchema;
        ImageColumn = imageColumn;
        Task = task;
        ClassNames = classNames;
    }

    public string Path { get; }

    public ITransformer Model { get; }

    public DataViewSchema InputSchema { get; }

    /// <summary>The Text column of image paths: ImagePath, else the first Text column (as samples/ScoreInExistingApp).</summary>
    public string ImageColumn { get; }

    public TaskKind Task { get; }

    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>
    /// For a model trained on full-precision pixels, the reader its graph names (<c>ml.Model.LoadPixelInput</c>); the
    /// loaded <see cref="Model"/> then starts with <c>LoadModelPixels</c> on <see cref="ImageColumn"/>, so that it scores
    /// image paths as any other model does. Null for a model fed ML.NET's 8-bit images.
    /// </summary>
    public IImagePixelReader? PixelReader { get; }

    /// <summary>
    /// Whether the model maps a text Label to its key itself (single-label models saved before they were label-free);
    /// otherwise whoever evaluates it maps the truth to keys in <see cref="ClassNames"/>' order.
    /// </summary>
    public bool KeysLabel { get; }

    /// <summary>The temperature and operating thresholds stored in the model (the library's <c>LoadCalibration</c>); null for a model written before they were stored.</summary>
    public CalibrationResult? Calibration { get; }

    /// <summary>The model's decision thresholds as the evaluators take them: null for multiclass (argmax) or an older model (0.5).</summary>
    public IReadOnlyList<float>? Thresholds => Task == TaskKind.Multiclass || Calibration is null ? null : Calibration.Thresholds.Select(t => (float)t).ToArray();

    /// <summary>The model's temperatures as the evaluators take them, to undo calibration for the uncalibrated ECE; null for an older model.</summary>
    public IReadOnlyList<float>? Temperatures => Calibration?.Temperatures.Select(t => (float)t).ToArray();

    /// <summary>
    /// Loads <paramref name="path"/>. A missing file, a folder, a file ML.NET cannot load (whatever its loaders throw: a
    /// damaged model.zip), or an ML.NET model that is not an MLNetTransfer image model is a <see cref="CliException"/>
    /// with <see cref="ExitCodes.ModelError"/> naming the file.
    /// </summary>
    public static ModelFile Load(MLContext ml, string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            string[] zips = Directory.GetFiles(full, "*.zip");
            string hint = zips.Length == 0 ? "it holds no .zip file" : $"it holds {string.Join(", ", zips.Select(System.IO.Path.GetFileName).Take(5))}";
            throw new CliException(ExitCodes.ModelError, $"--model: {full} is a folder, not a model file; give the model.zip itself ({hint}).");
        }

        if (!File.Exists(full))
        {
            throw new CliException(ExitCodes.ModelError, $"--model: the file {full} does not exist.");
        }

        // ML.NET finds the loaders of saved transformers in the assemblies it has seen; a fresh process may not have loaded
        // ImageAnalytics and OnnxTransformer yet.
        ml.ComponentCatalog.RegisterAssembly(typeof(ImageLoadingTransformer).Assembly);
        ml.ComponentCatalog.RegisterAssembly(typeof(OnnxTransformer).Assembly);
        ITransformer model;
        DataViewSchema input;
        try
        {
            (model, input) = LoadWithDeadline(ml, full);
        }
        catch (Exception e) when (e is not (OperationCanceledException or CliException))
        {
            // Any exception: ML.NET's loaders throw what a damaged stream makes them throw (InvalidOperationException,
            // FormatException, EndOfStreamException, a FileLoadException for a damaged assembly name), and ML.NET calls
            // them by reflection, so it arrives as a TargetInvocationException. All of them mean the same: this file is
            // not a model that can be loaded (exit 3), not a failure of the command (exit 4).
            var cause = Innermost(e);
            throw new CliException(ExitCodes.ModelError, $"--model: {full} is not a model ML.NET can load; it is damaged or not a model.zip ({cause.GetType().Name}: {cause.Message}).");
        }

        try
        {
            return Describe(ml, full, model, input);
        }
        catch (Exception e) when (e is not (CliException or OperationCanceledException))
        {
            (model as IDisposable)?.Dispose();
            var cause = Innermost(e);
            throw new CliException(ExitCodes.ModelError, $"--model: {full} loads but its schema cannot be read; it is damaged ({cause.GetType().Name}: {cause.Message}).");
        }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
    }

    // The image path column, the task and the class names, from the loaded model's schemas; and that it is one of ours:
    // a model MLNetTransfer saves scores its images with an ONNX network (OnnxTransformer) inside ML.NET's chain.
    private static ModelFile Describe(MLContext ml, string full, ITransformer model, DataViewSchema input)
    {
        var steps = Flatten(model).ToList();
        if (!steps.OfType<OnnxTransformer>().Any())
        {
            throw new CliException(ExitCodes.ModelError,
                $"--model: {full} is an ML.NET model but not an MLNetTransfer image model: it has no ONNX network (OnnxTransformer) to score images with. " +
                $"Its steps are {string.Join(", ", steps.Select(t => t.GetType().Name))}; its input columns are {Describe(input)}.");
        }

        // Only now, for one of ours: a full-precision model gets the reader its graph names in front.
        var (withPixels, reader) = WithPixels(ml, full, model, input);
        model = withPixels;
        var output = model.GetOutputSchema(input);
        string image = input.GetColumnOrNull("ImagePath") is { Type: TextDataViewType } ? "ImagePath"
            : input.FirstOrDefault(c => c.Type is TextDataViewType).Name
            ?? throw new CliException(ExitCodes.ModelError, $"--model: {full} takes no Text column of image paths; its input columns are {Describe(input)}.");
        if (output.GetColumnOrNull("Score") is not { Type: VectorDataViewType { Size: > 0 } score })
        {
            throw new CliException(ExitCodes.ModelError, $"--model: {full} has no Score vector; was it trained by MLNetTransfer? Its output columns are {Describe(output)}.");
        }

        bool multiLabel = input.GetColumnOrNull("Label") is { Type: VectorDataViewType { ItemType: NumberDataViewType } };
        // A single-label model names its classes in the key values of its PredictedLabel key (before the trailing
        // MapKeyToValue); one saved before models were label-free maps Label to a key first, and names them there too.
        var keyedOutput = WithoutKeyToValue(model).GetOutputSchema(input);
        bool keysLabel = !multiLabel && keyedOutput.GetColumnOrNull("Label") is { Type: KeyDataViewType };
        var names = multiLabel
            ? SlotNames(output["Score"]) ?? SlotNames(output["Label"])
            : keysLabel ? KeyValues(keyedOutput["Label"])
            : keyedOutput.GetColumnOrNull("PredictedLabel") is { Type: KeyDataViewType } predicted ? KeyValues(predicted) : null;
        if (names is null || names.Count != score.Size)
        {
            throw new CliException(ExitCodes.ModelError, $"--model: {full} does not name its {score.Size} classes (no KeyValues on PredictedLabel or Label, no SlotNames on Score).");
        }

        var task = multiLabel ? TaskKind.MultiLabel : names.Count == 2 ? TaskKind.Binary : TaskKind.Multiclass;
        CalibrationResult? calibration;
        try
        {
            calibration = ml.Model.LoadCalibration(full);
        }
        catch (InvalidDataException)
        {
            // A model saved before calibration was stored: scored at 0.5 and the argmax, as it was then.
            calibration = null;
        }

        return new ModelFile(full, model, input, image, task, names, calibration, keysLabel, reader);
    }

    // A full-precision model's saved chain starts at the Pixels column; the command line gives it image paths, so the
    // library's LoadModelPixels, with the reader the graph names, goes in front (inside the outer chain, so that a
    // trailing MapKeyToValue stays last).
    private static (ITransformer Model, IImagePixelReader? Reader) WithPixels(MLContext ml, string full, ITransformer model, DataViewSchema input)
    {
        if (ml.Model.LoadPixelInput(full) is not { } pixels)
        {
            return (model, null);
        }

        var reader = PixelReaders.FromDescription(pixels.ReaderDescription, full);
        string image = input.GetColumnOrNull("ImagePath") is { Type: TextDataViewType } ? "ImagePath"
            : input.FirstOrDefault(c => c.Type is TextDataViewType).Name
            ?? throw new CliException(ExitCodes.ModelError, $"--model: {full} takes no Text column of image paths; its input columns are {Describe(input)}.");
        var definition = SchemaDefinition.Create(typeof(PathRow));
        definition[nameof(PathRow.ImagePath)].ColumnName = image;
        var mapping = ml.Transforms.LoadModelPixels(reader, pixels.Size, image).Fit(ml.Data.LoadFromEnumerable(Array.Empty<PathRow>(), definition));
        var parts = model is TransformerChain<ITransformer> chain ? chain.ToArray() : new[] { model };
        return (new TransformerChain<ITransformer>(new[] { mapping }.Concat(parts).ToArray()), reader);
    }

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }

    // A saved pipeline loads as chains inside chains (an estimator chain appended to another).
    private static IEnumerable<ITransformer> Flatten(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : new[] { model };

    private static Exception Innermost(Exception e)
    {
        // ML.NET calls loaders by reflection (TargetInvocationException); LoadWithDeadline's task wraps in an AggregateException.
        while (true)
        {
            if (e is System.Reflection.TargetInvocationException { InnerException: { } invoked })
            {
                e = invoked;
            }
            else if (e is AggregateException { InnerExceptions.Count: 1 } aggregate)
            {
                e = aggregate.InnerExceptions[0];
            }
            else
            {
                return e;
            }
        }
    }

    // ML.NET's binary loader reads the number of values a (damaged) length in the file declares and, when the entry ends
    // first, keeps asking the ended stream for more: Utils.ReadBinaryDataIntoSpan loops while Read returns 0
    // (Microsoft.ML.Core, reached from BinaryLoader.InitToc for a saved TrainSchema). One flipped bit in a model.zip's
    // TrainSchema made Model.Load spin for ever (fuzz seed 13000031). So the load runs on a thread of its own, and a load
    // that takes far longer than a sound model of its size takes (seconds: it is read once and its ONNX graph written to
    // the temp folder) is refused as a damaged file; the spinning thread is a background thread and ends with the process.
    private static (ITransformer Model, DataViewSchema Input) LoadWithDeadline(MLContext ml, string full)
    {
        var loading = System.Threading.Tasks.Task.Factory.StartNew(() =>
        {
            var loaded = ml.Model.Load(full, out DataViewSchema schema);
            return (loaded, schema);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var deadline = LoadDeadline(new FileInfo(full).Length);
        if (!loading.Wait(deadline))
        {
            throw new CliException(ExitCodes.ModelError, string.Create(CultureInfo.InvariantCulture,
                $"--model: {full} did not finish loading in {deadline.TotalSeconds:F0} s (a sound model of its {new FileInfo(full).Length / 1e6:F1} MB loads in seconds); it is damaged: ML.NET's loader is reading past the end of one of its parts."));
        }

        return loading.Result;
    }

    /// <summary>How long a model.zip of <paramref name="bytes"/> may take to load: 30 s, plus 1 s per 4 MB.</summary>
    internal static TimeSpan LoadDeadline(long bytes) => TimeSpan.FromSeconds(30 + bytes / 4e6);

    /// <summary>The model without a trailing MapKeyToValue: PredictedLabel stays a key, as ML.NET's evaluators want it.</summary>
    public ITransformer KeyedModel() => WithoutKeyToValue(Model);

    private static ITransformer WithoutKeyToValue(ITransformer model) =>
        model is TransformerChain<ITransformer> chain && chain.LastTransformer is KeyToValueMappingTransformer
            ? new TransformerChain<ITransformer>(chain.Take(chain.Count() - 1).ToArray())
            : model;

    public void Dispose() => (Model as IDisposable)?.Dispose();

    private static IReadOnlyList<string>? SlotNames(DataViewSchema.Column column)
    {
        if (!column.HasSlotNames())
        {
            return null;
        }

        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetSlotNames(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToList();
    }

    private static IReadOnlyList<string>? KeyValues(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull("KeyValues") is not { Type: VectorDataViewType { ItemType: TextDataViewType } })
        {
            return null;
        }

        VBuffer<ReadOnlyMemory<char>> values = default;
        column.GetKeyValues(ref values);
        return values.DenseValues().Select(v => v.ToString()).ToList();
    }

    private static string Describe(DataViewSchema schema) => string.Join(", ", schema.Select(c => $"{c.Name} ({c.Type})"));
}
