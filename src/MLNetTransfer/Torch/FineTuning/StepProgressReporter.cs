using System;
using System.Diagnostics;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// Reports the steps of one epoch to <see cref="FineTuneOptions.StepCallback"/>: the step's loss and the head's rate,
/// the epoch's throughput so far, and the time left in the whole run at this epoch's mean time per step.
/// </summary>
/// <remarks>Costs nothing per step without a callback: the clock is read and the report built only for one.</remarks>
internal sealed class StepProgressReporter
{
    private readonly Action<StepProgress>? _callback;
    private readonly int _epoch;
    private readonly int _stepsPerEpoch;
    private readonly long _totalSteps;
    private readonly Func<double> _learningRate;
    private readonly Stopwatch _watch = Stopwatch.StartNew();

    /// <param name="callback">Receives the reports; null reports nothing.</param>
    /// <param name="epoch">The epoch (1-based); its clock starts now.</param>
    /// <param name="stepsPerEpoch">Steps in an epoch.</param>
    /// <param name="totalSteps">Steps in the whole run.</param>
    /// <param name="learningRate">The head's current learning rate, read only when reporting.</param>
    public StepProgressReporter(Action<StepProgress>? callback, int epoch, int stepsPerEpoch, long totalSteps, Func<double> learningRate)
    {
        _callback = callback;
        _epoch = epoch;
        _stepsPerEpoch = stepsPerEpoch;
        _totalSteps = totalSteps;
        _learningRate = learningRate;
    }

    /// <summary>Reports step <paramref name="step"/> of the epoch (1-based).</summary>
    /// <param name="step">Steps taken in this epoch.</param>
    /// <param name="loss">This step's loss.</param>
    /// <param name="images">Images trained on in this epoch so far.</param>
    /// <param name="globalStep">Steps taken in the whole run, this one included.</param>
    public void Step(int step, double loss, long images, long globalStep)
    {
        if (_callback is null)
        {
            return;
        }

        double seconds = _watch.Elapsed.TotalSeconds;
        double perStep = seconds / step;
        long stepsLeft = _totalSteps - globalStep;
        _callback(new StepProgress(_epoch, step, _stepsPerEpoch, loss, _learningRate(), images / Math.Max(seconds, 1e-9), TimeSpan.FromSeconds(perStep * stepsLeft)));
    }
}
