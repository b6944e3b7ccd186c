using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNetTransfer.Data;
using MLNetTransfer.FineTuning;
using Xunit;

namespace MLNetTransfer.Tests.Scoring;

/// <summary>
/// The scoring chain's PredictedLabel, for each kind of value ML.NET's MapValueToKey makes keys of: the predicted index
/// becomes a key of the label's own type (count and values), and ML.NET's MapKeyToValue turns it back into the value the
/// index stands for.
/// </summary>
public sealed class PredictedLabelTests
{
    private sealed class ValueRow<T>
    {
        public T Value { get; set; } = default!;
    }

    private sealed class IndexRow
    {
        public float Score { get; set; }
    }

    private sealed class BoolRow
    {
        public bool Label { get; set; }
    }

    [Fact]
    public void Text_keys() => Check("OPACITY", "NORMAL", "EFFUSION");

    [Fact]
    public void Integer_keys() => Check(7, -2, 30, 0);

    [Fact]
    public void Double_keys() => Check(0.25, 1e10, -3.5);

    [Fact]
    public void Single_keys() => Check(2.5f, -1f);

    [Fact]
    public void DateTime_keys() => Check(new DateTime(2020, 1, 2), new DateTime(1999, 12, 31), new DateTime(2024, 2, 29));

    [Fact]
    public void Boolean_label()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new BoolRow { Label = true }, new BoolRow { Label = false } });
        var labels = LabelSchema.From(data.Schema, nameof(BoolRow.Label));

        var predicted = Apply(ml, labels, 2);

        Assert.Equal(new KeyDataViewType(typeof(uint), 2), predicted.Schema["PredictedLabel"].Type);
        Assert.Equal(new[] { false, true }, ml.Transforms.Conversion.MapKeyToValue("Back", "PredictedLabel").Fit(predicted).Transform(predicted).GetColumn<bool>("Back"));
    }

    [Fact]
    public void Key_values_of_another_type_name_the_label_column()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => KeyValueTypes.Run(typeof(DataViewRowId), "Finding", new NoStep()));
        Assert.Contains("'Finding'", e.Message);
    }

    private sealed class NoStep : IKeyValueStep<int>
    {
        public int Run<T>() => 0;
    }

    // The label: a key made by ML.NET's MapValueToKey (sorted by value) from rows holding `values`.
    private static void Check<T>(params T[] values)
    {
        var ml = new MLContext(seed: 1);
        var rows = ml.Data.LoadFromEnumerable(values.Select(v => new ValueRow<T> { Value = v }));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", nameof(ValueRow<T>.Value), keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(rows).Transform(rows);
        var label = keyed.Schema["Label"];
        var labels = LabelSchema.From(keyed.Schema, "Label");

        var predicted = Apply(ml, labels, values.Length);

        var column = predicted.Schema["PredictedLabel"];
        Assert.Equal(label.Type, column.Type);
        Assert.Equal(label.Annotations.Schema["KeyValues"].Type, column.Annotations.Schema["KeyValues"].Type);
        var back = ml.Transforms.Conversion.MapKeyToValue("Back", "PredictedLabel").Fit(predicted).Transform(predicted);
        var labelBack = ml.Transforms.Conversion.MapKeyToValue("Back", "Label").Fit(keyed).Transform(keyed);
        // Index i stands for key i + 1: ML.NET's own MapKeyToValue on the label gives the value of each key.
        var byKey = keyed.GetColumn<uint>("Label").Zip(ReadAsText(labelBack, "Back")).ToDictionary(p => p.First, p => p.Second);
        var expected = Enumerable.Range(1, values.Length).Select(k => byKey[(uint)k]);
        Assert.Equal(expected, ReadAsText(back, "Back"));
    }

    // The predicted indices 0 .. count - 1, as the identity perceptron's Score, through the chain's PredictedLabel steps.
    private static IDataView Apply(MLContext ml, LabelSchema labels, int count)
    {
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i => new IndexRow { Score = i }));
        foreach (var step in ScoringChain.PredictedLabel(ml, data, labels, "PredictedLabel"))
        {
            data = step.Transform(data);
        }

        return data;
    }

    private static string[] ReadAsText(IDataView data, string column)
    {
        var text = new MLContext().Transforms.Conversion.ConvertType("Text", column, DataKind.String).Fit(data).Transform(data);
        return text.GetColumn<ReadOnlyMemory<char>>("Text").Select(v => v.ToString()).ToArray();
    }
}
