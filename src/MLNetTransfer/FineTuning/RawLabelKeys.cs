using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNetTransfer.Data;

namespace MLNetTransfer.FineTuning;

/// <summary>
/// A label column of raw values (String, a number, DateTime) is mapped to a key inside <c>Fit</c>, on the training data
/// only: ML.NET's own <c>MapValueToKey</c> with <c>KeyOrdinality.ByValue</c>, fitted on the training rows. The mapping
/// is not part of the fitted model, so the saved model scores a data view that has only the image column; the
/// PredictedLabel key still carries the label's values (ScoringChain.PredictedLabel), so <c>MapKeyToValue</c> gives
/// them back. ByValue is the order a user's own <c>MapValueToKey(keyOrdinality: ByValue)</c> fitted on the same rows
/// gives, which is how ML.NET's evaluators, which take a key label, read the scored data.
/// </summary>
internal static class RawLabelKeys
{
    /// <summary>The label types mapped here, as a mismatch message says it.</summary>
    public const string Expected = "Key<UInt32> (MapValueToKey), a scalar String, number or DateTime (mapped to a key by value), Boolean, or a known-size vector of Single (multi-label)";

    /// <summary>Whether <paramref name="type"/> is a raw scalar label that <see cref="Fit"/> maps to a key.</summary>
    public static bool IsRaw(DataViewType type) =>
        type is TextDataViewType or DateTimeDataViewType or NumberDataViewType;

    /// <summary>Whether a schema-shape label column is a raw scalar label.</summary>
    public static bool IsRaw(SchemaShape.Column column) =>
        column.Kind == SchemaShape.Column.VectorKind.Scalar && !column.IsKey && IsRaw(column.ItemType);

    /// <summary>
    /// Throws ML.NET's schema mismatch, naming every label type the trainer takes, for a label that is none of them
    /// (<see cref="LabelSchema"/> checks the key's width and class count after the mapping).
    /// </summary>
    public static void Check(DataViewSchema schema, string column)
    {
        var type = SchemaChecks.Find(schema, column).Type;
        bool taken = IsRaw(type) || type is KeyDataViewType or BooleanDataViewType
            || type is VectorDataViewType { ItemType: NumberDataViewType n, IsKnownSize: true } && n.RawType == typeof(float);
        if (!taken)
        {
            throw SchemaChecks.Mismatch(column, Expected, type);
        }
    }

    /// <summary>The key mapping of <paramref name="column"/> fitted on <paramref name="training"/>; null when the label is not raw.</summary>
    public static ITransformer? Fit(MLContext ml, IDataView training, string column) =>
        training.Schema.GetColumnOrNull(column) is { } label && IsRaw(label.Type)
            ? ml.Transforms.Conversion.MapValueToKey(column, keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(training)
            : null;
}
