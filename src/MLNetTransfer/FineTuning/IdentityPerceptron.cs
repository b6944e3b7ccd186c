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
/// ML.NET's OnnxTransformer yields every output as a vector (a scalar ONNX output cannot be read back), and no built-in
/// transform reduces a vector to a scalar; ML.NET's binary evaluator, however, needs scalar Single columns. A trained
/// linear predictor is a built-in transformer that does exactly that, and an AveragedPerceptron trained on the two rows
/// ([1], true) and ([0], false) with learning rate 1, no decay, no regularisation, no averaging and one pass ends with
/// weight 1 and bias 0: its Score is its input, bit for bit (checked below, so that a change of ML.NET's update rule
/// fails loudly instead of scaling scores).
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
