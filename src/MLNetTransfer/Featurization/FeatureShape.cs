using System;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTransfer.Featurization;

/// <summary>The output schema shape of the featurizer, through a throwaway CustomMapping (see FineTuning/OutputSchema.cs for why).</summary>
internal static class FeatureShape
{
    private sealed class NoInput
    {
    }

    private sealed class Output
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    public static SchemaShape Get(SchemaShape input, string column)
    {
        var definition = SchemaDefinition.Create(typeof(Output));
        // A schema shape records that the vector has a known size, not which (512 or 2048, from the weights).
        definition[nameof(Output.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 512);
        definition[nameof(Output.Features)].ColumnName = column;
        return new MLContext().Transforms.CustomMapping<NoInput, Output>((_, _) => { }, null, null, definition).GetOutputSchema(input);
    }
}
