using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Data;
using MLNetTransfer.Scoring;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer.FineTuning;

/// <summary>
/// The fitted fine-tuned model as a chain of ML.NET's own transformers: the image preprocessing and the ONNX graph of
/// <see cref="OnnxChainBuilder"/> (centre crop, channels, normalisation, network, softmax or sigmoid, prediction
/// outputs), then conversions that turn the per-row vectors into the columns ML.NET's evaluators and
/// <c>MapKeyToValue</c> expect. <c>mlContext.Model.Save</c> writes it like any chain, and it loads where only
/// Microsoft.ML, ImageAnalytics and OnnxTransformer are referenced (docs/design.md, "Persistence through ML.NET's
/// transformers").
/// </summary>
internal static class ScoringChain
{
    public const string Prefix = OnnxChainBuilder.Prefix;
    public const string Pixels = OnnxChainBuilder.Pixels;
    public const string Score = Prefix + "Score";
    public const string PredictedIndex = Prefix + "PredictedIndex";
    public const string Probability = Prefix + "Probability";
    public const string Logit = Prefix + "Logit";
    public const string PredictedValue = Prefix + "PredictedValue";
    public const string PredictedLabels = Prefix + "PredictedLabels";

    public static OnnxChainModel Build(MLContext ml, IDataView input, ResNetFineTuneTrainer.Options options, LabelSchema labels, int resizeTo, byte[] onnx)
    {
        using var chain = new OnnxChainBuilder(ml, input);
        if (options.PixelReader is null)
        {
            chain.AddImagePreprocessing(options.ImageColumnName, options.ImageFolder, resizeTo);
        }
        else
        {
            // A full-precision model: the saved chain starts at the float pixels an app computes with
            // ImagePixelInput.LoadModelInput (input is the data with that column mapped in from the paths).
            chain.AddPixelsColumn(ResNetFineTuneTransformer.PixelsColumnName);
        }

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

        if (!singleLabel)
        {
            outputs.Add(PredictedLabels);
        }

        chain.AddOnnx(outputs.ToArray(), onnx, options.GpuDeviceId, options.FallbackToCpu);

        // The identity perceptrons below are ML.NET predictors, which always write columns named Score and
        // PredictedLabel. Keep copies of such input columns, and put them back (or drop the perceptrons' columns)
        // at the end, so the chain adds only the outputs it was asked for.
        var predictorColumns = new[] { "Score", "PredictedLabel" };
        var saved = new List<(string Name, string Copy)>();
        if (singleLabel)
        {
            foreach (var name in predictorColumns)
            {
                if (chain.Current.Schema.GetColumnOrNull(name) is { IsHidden: false })
                {
                    string copy = Prefix + "Input." + name;
                    chain.Add(ml.Transforms.CopyColumns(copy, name).Fit(chain.Current));
                    chain.Temporary(copy);
                    saved.Add((name, copy));
                }
            }
        }

        if (binary)
        {
            chain.Add(IdentityPerceptron.Create(ml, Probability));
            chain.Add(ml.Transforms.CopyColumns(options.ProbabilityColumnName, "Score").Fit(chain.Current));
            chain.Add(IdentityPerceptron.Create(ml, Logit));
            chain.Add(ml.Transforms.CopyColumns(options.LogitColumnName, "Score").Fit(chain.Current));
        }

        if (singleLabel)
        {
            chain.Add(IdentityPerceptron.Create(ml, PredictedIndex));
            foreach (var t in PredictedLabel(ml, chain.Current, labels, options.PredictedLabelColumnName))
            {
                chain.Add(t);
            }

            chain.Temporary(PredictedValue);
        }

        chain.Add(ml.Transforms.CopyColumns(options.ScoreColumnName, Score).Fit(chain.Current));
        if (!singleLabel)
        {
            // Each label's probability against its own operating threshold, in the graph: a Boolean vector.
            chain.Add(ml.Transforms.CopyColumns(options.PredictedLabelColumnName, PredictedLabels).Fit(chain.Current));
        }

        if (singleLabel)
        {
            var outputNames = new[] { options.ScoreColumnName, options.PredictedLabelColumnName, options.ProbabilityColumnName, options.LogitColumnName };
            foreach (var name in predictorColumns.Where(n => !outputNames.Contains(n)))
            {
                var copy = saved.FirstOrDefault(x => x.Name == name).Copy;
                if (copy is not null)
                {
                    chain.Add(ml.Transforms.CopyColumns(name, copy).Fit(chain.Current));
                }
                else
                {
                    chain.Temporary(name);
                }
            }
        }

        return chain.Build();
    }

    /// <summary>
    /// PredictedLabel: the predicted index (the scalar float <c>Score</c> of the identity perceptron) mapped to the
    /// label's value, then to a key whose values and order are the label key's, so MapKeyToValue gives the original labels.
    /// </summary>
    internal static ITransformer[] PredictedLabel(MLContext ml, IDataView current, LabelSchema labels, string outputColumn) =>
        KeyValueTypes.Run(labels.KeyValueType, labels.ColumnName, new PredictedLabelSteps(ml, current, labels, outputColumn));

    private sealed class PredictedLabelSteps : IKeyValueStep<ITransformer[]>
    {
        private readonly MLContext _ml;
        private readonly IDataView _current;
        private readonly LabelSchema _labels;
        private readonly string _outputColumn;

        public PredictedLabelSteps(MLContext ml, IDataView current, LabelSchema labels, string outputColumn)
        {
            _ml = ml;
            _current = current;
            _labels = labels;
            _outputColumn = outputColumn;
        }

        public ITransformer[] Run<T>()
        {
            var values = _labels.KeyValues<T>();
            var pairs = values.Select((v, i) => new KeyValuePair<float, T>(i, v));
            var map = _ml.Transforms.Conversion.MapValue(PredictedValue, pairs, "Score").Fit(_current);
            var keyData = _ml.Data.LoadFromEnumerable(values.Select(v => new KeyRow<T> { Value = v }));
            var key = _ml.Transforms.Conversion.MapValueToKey(_outputColumn, PredictedValue, keyData: keyData).Fit(map.Transform(_current));
            return new ITransformer[] { map, key };
        }
    }

    private sealed class KeyRow<T>
    {
        public T Value { get; set; } = default!;
    }
}
