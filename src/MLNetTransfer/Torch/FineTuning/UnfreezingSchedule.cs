using System;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// How many of the plan's trainable stages train in an epoch: none in the head-only epochs at the start, then all of
/// them, or with gradual unfreezing one more per epoch from layer4 down (fastai's <c>fine_tune(freeze_epochs)</c>;
/// Howard and Ruder, "Universal Language Model Fine-tuning for Text Classification", 2018; docs/pitfalls.md, "Head
/// first, lower rates for the backbone").
/// </summary>
internal static class UnfreezingSchedule
{
    /// <summary>The stages to activate in <paramref name="epoch"/> (1-based); 0 trains the head alone.</summary>
    public static int ActiveStages(int epoch, int headOnlyEpochs, bool gradual, int trainableStages)
    {
        if (epoch <= headOnlyEpochs)
        {
            return 0;
        }

        return gradual ? Math.Min(trainableStages, epoch - headOnlyEpochs) : trainableStages;
    }
}
