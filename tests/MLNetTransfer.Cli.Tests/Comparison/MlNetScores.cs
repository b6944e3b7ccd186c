using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Microsoft.ML.Transforms.Onnx;

namespace MLNetTransfer.Cli.Tests.Comparison;

/// <summary>
/// A saved model.zip run over labelled images by ML.NET alone (Model.Load and Transform, as any ML.NET app would), not
/// by the command line's scorer: the reference that the command line's comparisons are checked against.
/// </summary>
internal static class MlNetScores
{
    /// <summary>The images of a folder per class (<c>folder/CLASS/*.png</c>), with their class.</summary>
    public static IReadOnlyList<(string Path, string Label)> Images(string folder) =>
        Directory.GetDirectories(folder).Order(StringComparer.Ordinal)
            .SelectMany(d => Directory.GetFiles(d, "*.png").Order(StringComparer.Ordinal).Select(f => (f, Path.GetFileName(d))))
            .ToList();

    /// <summary>The model's classes in its key order, and each image's probability vector in that order.</summary>
    public static (string[] Classes, float[][] Scores) Score(string modelPath, IReadOnlyList<(string Path, string Label)> images)
    {
        var ml = new MLContext(seed: 1);
        ml.ComponentCatalog.RegisterAssembly(typeof(ImageLoadingTransformer).Assembly);
        ml.ComponentCatalog.RegisterAssembly(typeof(OnnxTransformer).Assembly);
        var model = ml.Model.Load(modelPath, out _);
        try
        {
            var input = ml.Data.LoadFromEnumerable(images.Select(i => new InputRow { ImagePath = i.Path, Label = i.Label }).ToList());
            var scored = model.Transform(input);
            // The class names: the key values of PredictedLabel, read before the model's trailing MapKeyToValue turns
            // it into text; a model saved when the chain started with MapValueToKey(Label) names them on Label.
            var chain = (TransformerChain<ITransformer>)model;
            var keyed = chain.LastTransformer is Microsoft.ML.Transforms.KeyToValueMappingTransformer
                ? new TransformerChain<ITransformer>(chain.Take(chain.Count() - 1).ToArray()).Transform(input)
                : scored;
            var named = keyed.Schema["Label"].Type is KeyDataViewType ? keyed.Schema["Label"] : keyed.Schema["PredictedLabel"];
            VBuffer<ReadOnlyMemory<char>> keys = default;
            named.GetKeyValues(ref keys);
            var classes = keys.DenseValues().Select(k => k.ToString()).ToArray();
            var scores = scored.GetColumn<float[]>("Score").ToArray();
            return (classes, scores);
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// A multi-label model's labels (the slot names of the Label vector it was trained on, saved with its input schema)
    /// and each image's label probabilities in that order.
    /// </summary>
    public static (string[] Labels, float[][] Scores) ScoreMultiLabel(string modelPath, IReadOnlyList<string> images, int labelCount)
    {
        var ml = new MLContext(seed: 1);
        ml.ComponentCatalog.RegisterAssembly(typeof(ImageLoadingTransformer).Assembly);
        ml.ComponentCatalog.RegisterAssembly(typeof(OnnxTransformer).Assembly);
        var model = ml.Model.Load(modelPath, out var inputSchema);
        try
        {
            // The targets are unknown to a scoring app: NaN, as a vector of the model's size.
            var definition = SchemaDefinition.Create(typeof(MultiLabelInputRow));
            definition[nameof(MultiLabelInputRow.Label)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, labelCount);
            var input = ml.Data.LoadFromEnumerable(images.Select(path => new MultiLabelInputRow
            {
                ImagePath = path,
                Label = Enumerable.Repeat(float.NaN, labelCount).ToArray(),
            }).ToList(), definition);
            var scored = model.Transform(input);
            VBuffer<ReadOnlyMemory<char>> names = default;
            inputSchema["Label"].GetSlotNames(ref names);
            return (names.DenseValues().Select(k => k.ToString()).ToArray(), scored.GetColumn<float[]>("Score").ToArray());
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    /// <summary>Each row's scores with the slots put in the order of <paramref name="classes"/>.</summary>
    public static float[][] InOrder(string[] modelClasses, float[][] scores, IReadOnlyList<string> classes) =>
        scores.Select(row => classes.Select(c => row[Array.IndexOf(modelClasses, c)]).ToArray()).ToArray();

    /// <summary>The Mann–Whitney AUC of <paramref name="positive"/>'s probability, counted pair by pair (ties one half).</summary>
    public static double Auc(IReadOnlyList<(string Path, string Label)> images, float[][] scores, int slot, string positive)
    {
        var p = Enumerable.Range(0, images.Count).Where(i => images[i].Label == positive).Select(i => scores[i][slot]).ToList();
        var n = Enumerable.Range(0, images.Count).Where(i => images[i].Label != positive).Select(i => scores[i][slot]).ToList();
        double pairs = p.Sum(a => n.Sum(b => a > b ? 1.0 : a == b ? 0.5 : 0.0));
        return pairs / (p.Count * n.Count);
    }

    private sealed class MultiLabelInputRow
    {
        public string ImagePath { get; set; } = "";

        public float[] Label { get; set; } = [];

        public string PatientId { get; set; } = "";
    }

    private sealed class InputRow
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";

        public string PatientId { get; set; } = "";
    }
}
