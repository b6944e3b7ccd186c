using Microsoft.ML;

namespace MLNetTransfer;

/// <summary>
/// The two sides of <see cref="ImageDataCatalog.TrainValidationSplit"/>, like ML.NET's
/// <c>DataOperationsCatalog.TrainTestData</c>. Each keeps the input's columns and its row order.
/// </summary>
public sealed class TrainValidationData
{
    internal TrainValidationData(IDataView trainSet, IDataView validationSet)
    {
        TrainSet = trainSet;
        ValidationSet = validationSet;
    }

    /// <summary>The rows to train on.</summary>
    public IDataView TrainSet { get; }

    /// <summary>The rows held out for validation (about the requested fraction, whole groups only).</summary>
    public IDataView ValidationSet { get; }
}
