namespace MLNetTransfer;

/// <summary>
/// What a multi-label target of -1 ("uncertain", as the CheXpert labeler writes for hedged findings such as
/// "cannot exclude pneumonia") means in training and in the metrics.
/// </summary>
/// <remarks>
/// The three label-level policies of Irvin et al., "CheXpert: A Large Chest Radiograph Dataset with Uncertainty
/// Labels and Expert Comparison", AAAI 2019, section "Uncertainty Approaches". The paper compares them finding by
/// finding and no policy wins on every finding, so the choice is left to the user. (Its U-SelfTrained and U-MultiClass
/// approaches change the training procedure or the head and are not offered here.)
/// </remarks>
public enum UncertaintyPolicy
{
    /// <summary>U-Ignore: an uncertain target is treated as missing, left out of the loss and of the metrics.</summary>
    Ignore,

    /// <summary>U-Ones: an uncertain target counts as positive (1).</summary>
    Ones,

    /// <summary>U-Zeros: an uncertain target counts as negative (0).</summary>
    Zeros,
}
