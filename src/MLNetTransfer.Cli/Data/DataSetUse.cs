namespace MLNetTransfer.Cli.Data;

/// <summary>What a data set is read for, which decides the checks on its classes.</summary>
internal enum DataSetUse
{
    /// <summary>
    /// <c>train</c>: the training split needs two or more classes, and validation and test may hold only training
    /// classes and no patient of the training split.
    /// </summary>
    Training,

    /// <summary>
    /// <c>evaluate</c>: any labelled images, one class included (the sensitivity on positives only); their labels are
    /// checked against the model's classes instead.
    /// </summary>
    Evaluation,
}
