namespace MLNetTransfer;

/// <summary>What decides the best epoch, whose weights the model keeps, and what early stopping watches.</summary>
public enum BestModelMetric
{
    /// <summary>Lowest validation loss. The default: defined for every task and every fold.</summary>
    ValidationLoss,

    /// <summary>Highest validation ROC AUC; epochs whose AUC is undefined fall back to not improving.</summary>
    ValidationAuc,
}
