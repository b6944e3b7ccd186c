using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace MLNetTransfer.FineTuning;

/// <summary>
/// Turns a one-element vector column into a scalar <c>Score</c> column with ML.NET's own, saveable transformers only.
/// </summary>
/// <remarks>
/// Why a trained predictor: ML.NET 5.0.1 has no public, saveable step from <c>Vector&lt;Single, 1&gt;</c> to
/// <c>Single</c>, which Probability and Logit (for the binary evaluator) and the predicted index (for the key mapping)
/// need. In https://github.com/dotnet/machinelearning: OnnxTransformer types a rank-0 graph output as <c>Single</c> but
/// cannot read it (<c>Mapper.MakeObjectGetter</c> in src/Microsoft.ML.OnnxTransformer/OnnxTransform.cs calls
/// <c>AsEnumerable&lt;NamedOnnxValue&gt;()</c> on the tensor and throws ArgumentNullException; a rank-0 output would not
/// fit a batched graph either), and <c>OnnxOptions.ShapeDictionary</c> may resize an output but not drop its axis
/// (<c>OnnxModel.GetOnnxVariablesFromMetadata</c> in src/Microsoft.ML.OnnxTransformer/OnnxUtils.cs); Expression,
/// ConvertType, CopyColumns, Concatenate and MapValue keep a vector a vector; <c>LinearBinaryModelParameters</c> and
/// <c>BinaryPredictionTransformer</c> have no public constructor, so weight 1 and bias 0 cannot be set without training;
/// and a CustomMapping would need this library wherever the model is loaded.
/// tests/MLNetTransfer.Tests/Scoring/IdentityPerceptronTests.cs tries each route on ML.NET, so the upgrade that opens
/// one fails a test. The perceptron, trained on the two rows ([1], true) and ([0], false) with learning rate 1, no
/// decay, no regularisation, no averaging and one pass, ends with weight 1 and bias 0: its Score is its input, bit for
/// bit but for -0, which comes out +0 (checked below, so that a change of ML.NET's update rule fails loudly instead of
/// scaling scores).
/// </remarks>
internal static class IdentityPerceptron
{
    private sealed class Row
    {
        [VectorType(1)]
        public float[] Value { get; set; } = Array.Empty<float>();

        public bool Label { get; set; }
    }

    /// <summary>A transformer that reads the <c>Vector&lt;Single, 1&gt;</c> column <paramref name="column"/> and writes a scalar <c>Score</c>.</summary>
    public static ITransformer Create(MLContext ml, string column)
    {
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Value)].ColumnName = column;
        var data = ml.Data.LoadFromEnumerable(
            new[] { new Row { Value = new[] { 1f }, Label = true }, new Row { Value = new[] { 0f }, Label = false } }, definition);
        var trainer = ml.BinaryClassification.Trainers.AveragedPerceptron(new AveragedPerceptronTrainer.Options
        {
            LabelColumnName = nameof(Row.Label),
            FeatureColumnName = column,
            LearningRate = 1,
            DecreaseLearningRate = false,
            L2Regularization = 0,
            NumberOfIterations = 1,
            Shuffle = false,
            Averaged = false,
            InitialWeightsDiameter = 0,
        });
        var model = trainer.Fit(data);
        var weights = model.Model.Weights.ToArray();
        if (weights.Length != 1 || weights[0] != 1f || model.Model.Bias != 0f)
        {
            throw new InvalidOperationException(
                $"The identity perceptron for '{column}' came out as w = [{string.Join(", ", weights)}], b = {model.Model.Bias}; ML.NET's perceptron update changed, so scores would be altered.");
        }

        return model;
    }
}
