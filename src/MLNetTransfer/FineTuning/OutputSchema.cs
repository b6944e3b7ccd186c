using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Data;

namespace MLNetTransfer.FineTuning;

/// <summary>
/// The output <see cref="SchemaShape"/> of the fine-tuning estimator before it is fitted. ML.NET keeps
/// <c>SchemaShape.Column</c>'s constructor internal, so the columns come from a throwaway CustomMapping estimator whose
/// output schema definition carries the right types. A schema shape carries no key counts, so for a key label the class
/// count (or a raw label's class count), and with it whether the task is binary, is unknown before <c>Fit</c>: the shape then lists Score and
/// PredictedLabel, and a fitted binary model adds Probability and Logit. A multi-label model's PredictedLabel is a
/// Boolean vector, one decision per label.
/// </summary>
internal static class OutputSchema
{
    private sealed class NoInput
    {
    }

    private sealed class Outputs
    {
        public float[] Score { get; set; } = Array.Empty<float>();

        public uint PredictedLabel { get; set; }

        public float Probability { get; set; }

        public float Logit { get; set; }

        public bool[] PredictedLabels { get; set; } = Array.Empty<bool>();
    }

    public static SchemaShape Get(SchemaShape input, ResNetFineTuneTrainer.Options options, SchemaShape.Column label)
    {
        bool multiLabel = label.Kind == SchemaShape.Column.VectorKind.Vector && label.ItemType == NumberDataViewType.Single && !label.IsKey;
        bool booleanLabel = label.Kind == SchemaShape.Column.VectorKind.Scalar && label.ItemType == BooleanDataViewType.Instance;
        bool keyLabel = label.IsKey && label.Kind == SchemaShape.Column.VectorKind.Scalar && label.ItemType.RawType == typeof(uint);
        // A raw label (text, a number) is mapped to a key by value inside Fit (RawLabelKeys); PredictedLabel's values are its values.
        bool rawLabel = RawLabelKeys.IsRaw(label);
        if (!multiLabel && !booleanLabel && !keyLabel && !rawLabel)
        {
            throw SchemaChecks.Mismatch(options.LabelColumnName, RawLabelKeys.Expected, SchemaChecks.TypeString(label));
        }

        var definition = SchemaDefinition.Create(typeof(Outputs));
        // The size is a placeholder: a schema shape records that a vector has a known size, not the size.
        definition[nameof(Outputs.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 2);
        definition[nameof(Outputs.Score)].ColumnName = options.ScoreColumnName;
        if (multiLabel)
        {
            // One decision per label, each label's probability against its operating threshold.
            definition.RemoveAll(c => c.MemberName == nameof(Outputs.PredictedLabel));
            var decisions = definition[nameof(Outputs.PredictedLabels)];
            decisions.ColumnName = options.PredictedLabelColumnName;
            decisions.ColumnType = new VectorDataViewType(BooleanDataViewType.Instance, 2);
            Keep(definition, options.ScoreColumnName, options.PredictedLabelColumnName);
        }
        else
        {
            var predicted = definition[nameof(Outputs.PredictedLabel)];
            predicted.ColumnName = options.PredictedLabelColumnName;
            predicted.ColumnType = new KeyDataViewType(typeof(uint), 2);
            var valueType = booleanLabel ? BooleanDataViewType.Instance
                : rawLabel ? label.ItemType
                : (FindColumn(label.Annotations, "KeyValues")?.ItemType ?? TextDataViewType.Instance);
            AddKeyValues(predicted, valueType, options.LabelColumnName);
            definition[nameof(Outputs.Probability)].ColumnName = options.ProbabilityColumnName;
            definition[nameof(Outputs.Logit)].ColumnName = options.LogitColumnName;
            definition.RemoveAll(c => c.MemberName == nameof(Outputs.PredictedLabels));
            if (!booleanLabel)
            {
                Keep(definition, options.ScoreColumnName, options.PredictedLabelColumnName);
            }
        }

        return new MLContext().Transforms.CustomMapping<NoInput, Outputs>((_, _) => { }, null, null, definition).GetOutputSchema(input);
    }

    internal static SchemaShape.Column? FindColumn(SchemaShape shape, string name)
    {
        foreach (var column in shape)
        {
            if (column.Name == name)
            {
                return column;
            }
        }

        return null;
    }

    private static void Keep(SchemaDefinition definition, params string[] columns) =>
        definition.RemoveAll(c => Array.IndexOf(columns, c.ColumnName) < 0);

    // The annotation's values do not matter for a shape, only its type.
    private static void AddKeyValues(SchemaDefinition.Column column, DataViewType itemType, string labelColumn) =>
        KeyValueTypes.Run(itemType.RawType, labelColumn, new KeyValuesAnnotation(column, (PrimitiveDataViewType)itemType));

    private sealed class KeyValuesAnnotation : IKeyValueStep<bool>
    {
        private readonly SchemaDefinition.Column _column;
        private readonly PrimitiveDataViewType _itemType;

        public KeyValuesAnnotation(SchemaDefinition.Column column, PrimitiveDataViewType itemType)
        {
            _column = column;
            _itemType = itemType;
        }

        public bool Run<T>()
        {
            _column.AddAnnotation("KeyValues", new VBuffer<T>(2, new T[2]), new VectorDataViewType(_itemType, 2));
            return true;
        }
    }
}
