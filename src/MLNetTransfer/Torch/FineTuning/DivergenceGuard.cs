using System;
using System.Globalization;
using System.Linq;
using MLNetTransfer.Torch.Losses;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// The checks that stop a diverging run with a <see cref="TrainingDivergedException"/> (thresholds and why: there):
/// every step, the loss is a number and no logit exceeds <see cref="TrainingDivergedException.MaxLogitMagnitude"/>;
/// after every epoch from the second on, before its checkpoint is written, its mean training loss is at most
/// <see cref="TrainingDivergedException.MaxLossRise"/> times the first epoch's.
/// </summary>
internal static class DivergenceGuard
{
    private const string Advice = "Lower the learning rate (LearningRate; --lr on the command line), for example by a factor of 10.";

    /// <summary>Checks a step's loss and largest logit magnitude, both already read to the host.</summary>
    /// <param name="loss">The step's loss.</param>
    /// <param name="maxLogit">The largest |logit| of the step's batch.</param>
    /// <param name="epoch">The epoch (1-based).</param>
    /// <param name="step">The step within the epoch (1-based).</param>
    /// <param name="lastGoodEpoch">The last epoch that finished (0 = none), whose checkpoint stays.</param>
    /// <param name="checkpointDirectory">Where checkpoints go; null when none are written.</param>
    /// <exception cref="TrainingDivergedException">The loss is NaN or infinite, or a logit is too large.</exception>
    public static void CheckStep(double loss, double maxLogit, int epoch, int step, int lastGoodEpoch, string? checkpointDirectory)
    {
        if (!double.IsFinite(loss))
        {
            throw new TrainingDivergedException(LossGuard.NotFiniteMessage(loss, epoch, step) + Kept(lastGoodEpoch, checkpointDirectory),
                DivergenceReason.NonFiniteLoss, epoch, step);
        }

        if (!(maxLogit <= TrainingDivergedException.MaxLogitMagnitude))
        {
            throw new TrainingDivergedException(
                Invariant($"Training diverged: a logit of magnitude {maxLogit:G3} at epoch {epoch}, step {step} (the limit is {TrainingDivergedException.MaxLogitMagnitude:G}). ")
                + Advice + Kept(lastGoodEpoch, checkpointDirectory),
                DivergenceReason.LogitMagnitude, epoch, step);
        }
    }

    /// <summary>
    /// Checks the mean training loss of <paramref name="epoch"/> against epoch 1's in <paramref name="state"/>'s
    /// history (which a resumed run reads from its checkpoint). Run before the epoch is recorded or checkpointed.
    /// </summary>
    /// <param name="state">The run's state: its history holds epoch 1 once that epoch finished; <see cref="CheckpointState.CompletedEpochs"/> is the last good epoch.</param>
    /// <param name="epoch">The epoch just trained (1-based); epoch 1 is not checked.</param>
    /// <param name="trainLoss">Its mean training loss.</param>
    /// <param name="checkpointDirectory">Where checkpoints go; null when none are written.</param>
    /// <exception cref="TrainingDivergedException">The loss rose above the limit.</exception>
    public static void CheckEpoch(CheckpointState state, int epoch, double trainLoss, string? checkpointDirectory)
    {
        var first = state.History.FirstOrDefault(e => e.Epoch == 1);
        if (epoch < 2 || first is null || !double.IsFinite(first.TrainLoss))
        {
            return;
        }

        if (trainLoss > TrainingDivergedException.MaxLossRise * first.TrainLoss)
        {
            throw new TrainingDivergedException(
                Invariant($"Training diverged: the mean training loss of epoch {epoch}, {trainLoss:G4}, is more than {TrainingDivergedException.MaxLossRise:G} times epoch 1's, {first.TrainLoss:G4}. ")
                + Advice + Kept(state.CompletedEpochs, checkpointDirectory),
                DivergenceReason.LossRise, epoch, step: null);
        }
    }

    // Where the last good epoch's checkpoint is, when checkpoints are written.
    private static string Kept(int lastGoodEpoch, string? checkpointDirectory) =>
        checkpointDirectory is null ? ""
        : lastGoodEpoch == 0 ? " No epoch finished, so no checkpoint of this run was written."
        : Invariant($" The checkpoint of epoch {lastGoodEpoch}, the last good one, stays in '{TrainingCheckpoint.PathIn(checkpointDirectory)}'.");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
