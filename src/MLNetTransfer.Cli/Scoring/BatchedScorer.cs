using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Transforms.Onnx;
using MLNetTransfer.Cli.Training;

namespace MLNetTransfer.Cli.Scoring;

/// <summary>
/// Scores images in fixed-size batches: the saved chain's own steps before its ONNX step (LoadImages, ResizeImages,
/// ExtractPixels) run through ML.NET over a streamed view, one row at a time; their pixels are gathered into a batch
/// and the model's ONNX graph (the one its <c>OnnxTransformer</c> runs, <c>ml.Model.ExtractOnnx</c>) scores the whole
/// batch in one ONNX Runtime call on its dynamic batch axis. Memory is one batch of pixels, whatever the number of images.
/// </summary>
internal sealed class BatchedScorer : IDisposable
{
    private readonly MLContext _ml;
    private readonly ModelFile _model;
    private readonly ITransformer _preprocessing;
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string _scoreName;
    private readonly string? _predictedName;
    private readonly int[] _imageShape; // C, H, W

    public BatchedScorer(MLContext ml, ModelFile model, int batchSize)
    {
        _ml = ml;
        _model = model;
        BatchSize = batchSize;
        // The saved chain nests the fine-tuned model's own chain; its steps are read in order, flattened.
        var steps = Steps(model.KeyedModel()).ToList();
        int onnxStep = steps.FindIndex(t => t is OnnxTransformer);
        if (onnxStep < 0)
        {
            throw new CliException(ExitCodes.ModelError, $"--model: {model.Path} has no OnnxTransformer step; was it trained by MLNetTransfer?");
        }

        _preprocessing = new TransformerChain<ITransformer>(steps.Take(onnxStep).ToArray());
        _session = new InferenceSession(ml.Model.ExtractOnnx(model.Path));
        var input = _session.InputMetadata.Single();
        _inputName = input.Key;
        _imageShape = input.Value.Dimensions.Skip(1).ToArray();
        // The graph's outputs carry the chain's column names (ScoringChain): the probabilities end in "Score", the
        // single-label prediction (the stored threshold or the argmax) in "PredictedIndex".
        _scoreName = _session.OutputMetadata.Keys.Single(k => k.EndsWith("Score", StringComparison.Ordinal));
        _predictedName = _session.OutputMetadata.Keys.SingleOrDefault(k => k.EndsWith("PredictedIndex", StringComparison.Ordinal));
    }

    public int BatchSize { get; }

    private static IEnumerable<ITransformer> Steps(ITransformer transformer) =>
        transformer is IEnumerable<ITransformer> chain ? chain.SelectMany(Steps) : new[] { transformer };

    /// <summary>
    /// Scores <paramref name="files"/> in order, streaming: each batch's rows go to <paramref name="write"/> before the
    /// next batch is read. The predicted class is -1 for multi-label models.
    /// </summary>
    public void Score(IEnumerable<string> files, Action<string, float[], int> write, CancellationToken cancellation)
    {
        var input = Input(files);
        if (_model.ImageColumn != ImageRows.PathColumn)
        {
            input = _ml.Transforms.CopyColumns(_model.ImageColumn, ImageRows.PathColumn).Fit(input).Transform(input);
        }

        var pixels = _preprocessing.Transform(input);
        var pixelColumn = pixels.Schema[_inputName];
        var pathColumn = pixels.Schema[ImageRows.PathColumn];
        int imageSize = _imageShape.Aggregate(1, (a, b) => a * b);
        var batch = new float[BatchSize * imageSize];
        var names = new List<string>(BatchSize);
        using var cursor = pixels.GetRowCursor(new[] { pixelColumn, pathColumn });
        var readPixels = cursor.GetGetter<VBuffer<float>>(pixelColumn);
        var readPath = cursor.GetGetter<ReadOnlyMemory<char>>(pathColumn);
        VBuffer<float> row = default;
        ReadOnlyMemory<char> path = default;
        while (!cancellation.IsCancellationRequested && cursor.MoveNext())
        {
            readPixels(ref row);
            readPath(ref path);
            row.GetValues().CopyTo(batch.AsSpan(names.Count * imageSize, imageSize));
            names.Add(path.ToString());
            if (names.Count == BatchSize)
            {
                Run(batch, names, write);
            }
        }

        cancellation.ThrowIfCancellationRequested();
        if (names.Count > 0)
        {
            Run(batch, names, write);
        }
    }

    private void Run(float[] batch, List<string> names, Action<string, float[], int> write)
    {
        int n = names.Count;
        int imageSize = batch.Length / BatchSize;
        var tensor = new DenseTensor<float>(batch.AsMemory(0, n * imageSize), new[] { n }.Concat(_imageShape).ToArray());
        var wanted = _predictedName is null ? new[] { _scoreName } : new[] { _scoreName, _predictedName };
        using var outputs = _session.Run(new[] { NamedOnnxValue.CreateFromTensor(_inputName, tensor) }, wanted);
        var scores = outputs.First(o => o.Name == _scoreName).AsTensor<float>();
        int classes = (int)(scores.Length / n);
        var predicted = _predictedName is null ? null : outputs.First(o => o.Name == _predictedName);
        for (int i = 0; i < n; i++)
        {
            var probabilities = new float[classes];
            for (int j = 0; j < classes; j++)
            {
                probabilities[j] = scores.GetValue(i * classes + j);
            }

            write(names[i], probabilities, predicted is null ? -1 : Index(predicted, i));
        }

        names.Clear();
    }

    // The graph's PredictedIndex, whichever numeric type the writer gave it.
    private static int Index(DisposableNamedOnnxValue value, int i) => value.Value switch
    {
        Tensor<long> t => (int)t.GetValue(i),
        Tensor<int> t => t.GetValue(i),
        Tensor<float> t => (int)t.GetValue(i),
        _ => throw new InvalidOperationException($"The ONNX output {value.Name} is of an unexpected type {value.Value?.GetType().Name}."),
    };

    // A streamed view: LoadFromEnumerable enumerates the files as the cursor moves, holding none of them.
    private IDataView Input(IEnumerable<string> files)
    {
        if (_model.Task != TaskKind.MultiLabel)
        {
            return _ml.Data.LoadFromEnumerable(files.Select(f => new ImageRows.SingleLabelRow { ImagePath = f }));
        }

        var definition = SchemaDefinition.Create(typeof(ImageRows.MultiLabelRow));
        definition[nameof(ImageRows.MultiLabelRow.Label)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, _model.ClassNames.Count);
        var unknown = Enumerable.Repeat(float.NaN, _model.ClassNames.Count).ToArray();
        return _ml.Data.LoadFromEnumerable(files.Select(f => new ImageRows.MultiLabelRow { ImagePath = f, Label = unknown }), definition);
    }

    public void Dispose() => _session.Dispose();
}
