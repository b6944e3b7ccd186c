using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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
        CalibrationResult? calibration)
    {
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

    /// <summary>The temperature and operating thresholds stored in the model (the library's <c>LoadCalibration</c>); null for a model written before they were stored.</summary>
    public CalibrationResult? Calibration { get; }

    /// <summary>The model's decision thresholds as the evaluators take them: null for multiclass (argmax) or an older model (0.5).</summary>
    public IReadOnlyList<float>? Thresholds => Task == TaskKind.Multiclass || Calibration is null ? null : Calibration.Thresholds.Select(t => (float)t).ToArray();

    /// <summary>The model's temperatures as the evaluators take them, to undo calibration for the uncalibrated ECE; null for an older model.</summary>
    public IReadOnlyList<float>? Temperatures => Calibration?.Temperatures.Select(t => (float)t).ToArray();

    /// <summary>Loads <paramref name="path"/>; a missing or unreadable file is a <see cref="CliException"/> naming it.</summary>
    public static ModelFile Load(MLContext ml, string path)
    {
        string full = System.IO.Path.GetFullPath(path);
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
            model = ml.Model.Load(full, out input);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or InvalidOperationException or IOException or ArgumentException)
        {
            throw new CliException(ExitCodes.ModelError, $"--model: {full} is not a model ML.NET can load ({e.GetType().Name}: {e.Message}).");
        }

        try
        {
            var output = model.GetOutputSchema(input);
            string image = input.GetColumnOrNull("ImagePath") is { Type: TextDataViewType } ? "ImagePath"
                : input.FirstOrDefault(c => c.Type is TextDataViewType).Name
                ?? throw new CliException(ExitCodes.ModelError, $"--model: {full} takes no Text column of image paths; its input columns are {Describe(input)}.");
            if (output.GetColumnOrNull("Score") is not { Type: VectorDataViewType { Size: > 0 } score })
            {
                throw new CliException(ExitCodes.ModelError, $"--model: {full} has no Score vector; was it trained by MLNetTransfer? Its output columns are {Describe(output)}.");
            }

            bool multiLabel = input.GetColumnOrNull("Label") is { Type: VectorDataViewType { ItemType: NumberDataViewType } };
            var names = multiLabel
                ? SlotNames(output["Score"]) ?? SlotNames(output["Label"])
                : output.GetColumnOrNull("Label") is { } label ? KeyValues(label) : null;
            if (names is null || names.Count != score.Size)
            {
                throw new CliException(ExitCodes.ModelError, $"--model: {full} does not name its {score.Size} classes (no KeyValues on Label, no SlotNames on Score).");
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

            return new ModelFile(full, model, input, image, task, names, calibration);
        }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>The model without a trailing MapKeyToValue: PredictedLabel stays a key, as ML.NET's evaluators want it.</summary>
    public ITransformer KeyedModel() =>
        Model is TransformerChain<ITransformer> chain && chain.LastTransformer is KeyToValueMappingTransformer
            ? new TransformerChain<ITransformer>(chain.Take(chain.Count() - 1).ToArray())
            : Model;

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
