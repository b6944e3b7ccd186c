namespace MLNetTransfer.Torch.FineTuning;

/// <summary>What <see cref="AutoStrategy.Choose"/> picked, and why, in words a log can show.</summary>
internal sealed record AutoDecision(FreezeStrategy Strategy, string Reason);

/// <summary>
/// The transfer-learning decision table (data set size × domain similarity), as in the CS231n notes on transfer
/// learning and the Keras fine-tuning guide, with these thresholds (shown to users in README.md, "Choosing a strategy"):
/// <list type="table">
/// <item><term>under 1,000 images</term><description>feature extraction: too few to move a backbone without overfitting.</description></item>
/// <item><term>1,000–50,000, similar domain</term><description>the last stage (under 10,000) or the last two stages.</description></item>
/// <item><term>1,000–50,000, different domain</term><description>the last three stages, backbone at 1/20 of the head's rate: lower-level features must adapt too, gently.</description></item>
/// <item><term>over 50,000</term><description>full fine-tuning with discriminative rates.</description></item>
/// <item><term>over 500,000, different domain</term><description>full fine-tuning, with the note that training from scratch or domain pre-training may win.</description></item>
/// </list>
/// </summary>
internal static class AutoStrategy
{
    /// <summary>Below this many training images: feature extraction.</summary>
    public const int SmallDataset = 1_000;

    /// <summary>Above this many: full fine-tuning.</summary>
    public const int LargeDataset = 50_000;

    /// <summary>Above this many, in a different domain: from-scratch training may beat ImageNet initialisation.</summary>
    public const int VeryLargeDataset = 500_000;

    /// <summary>Picks a strategy for <paramref name="trainingImages"/> images of the stated similarity.</summary>
    public static AutoDecision Choose(int trainingImages, DomainSimilarity similarity)
    {
        string domain = similarity == DomainSimilarity.Similar ? "similar to ImageNet" : "different from ImageNet";
        if (trainingImages < SmallDataset)
        {
            return new AutoDecision(FreezeStrategy.FeatureExtraction,
                $"{trainingImages} training images (< {SmallDataset}): feature extraction, since fine-tuning a backbone on so few images overfits.");
        }

        if (trainingImages <= LargeDataset)
        {
            if (similarity == DomainSimilarity.Similar)
            {
                int stages = trainingImages < 10_000 ? 1 : 2;
                return new AutoDecision(FreezeStrategy.LastStages(stages),
                    $"{trainingImages} training images, domain {domain}: the last {stages} stage(s) and the head, since the pretrained features already fit.");
            }

            return new AutoDecision(FreezeStrategy.LastStages(3, backboneLearningRateRatio: 0.05),
                $"{trainingImages} training images, domain {domain}: the last 3 stages with the backbone at 1/20 of the head's rate, since lower-level features must adapt too.");
        }

        if (trainingImages > VeryLargeDataset && similarity == DomainSimilarity.Different)
        {
            return new AutoDecision(FreezeStrategy.Full(),
                $"{trainingImages} training images, domain {domain}: full fine-tuning with discriminative rates; with this much data, training from scratch or domain-specific pre-training may win, so compare against the 'scratch' strategy.");
        }

        return new AutoDecision(FreezeStrategy.Full(),
            $"{trainingImages} training images (> {LargeDataset}), domain {domain}: full fine-tuning with discriminative learning rates.");
    }
}
