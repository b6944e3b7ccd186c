using System;
using System.Collections.Generic;
using System.Linq;
using MLNetTransfer.Torch.Modules;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// AdamW over the freeze plan's parameter groups (each with its own peak rate and weight decay), every group's rate set
/// from the <see cref="LearningRateSchedule"/> before each step (docs/design.md, "Training loop").
/// </summary>
internal sealed class ScheduledOptimizer : IDisposable
{
    private readonly (AdamW.ParamGroup Group, double PeakRate, bool IsHead)[] _groups;
    private readonly LearningRateSchedule _schedule;

    /// <exception cref="InvalidOperationException">The plan holds parameters the model no longer uses.</exception>
    public ScheduledOptimizer(ResNet model, FreezePlan plan, LearningRateSchedule schedule)
    {
        // Every parameter the optimizer gets must be one the model uses now: TorchSharp's Module.to replaces every
        // Parameter object when the device changes, and a step on the old ones would train nothing.
        var live = new HashSet<Parameter>(model.parameters(), ReferenceEqualityComparer.Instance);
        if (plan.Groups.SelectMany(g => g.Parameters).Any(p => !live.Contains(p)))
        {
            throw new InvalidOperationException("The fine-tuning plan holds parameters the model no longer uses (was the model moved after planning?).");
        }

        var paramGroups = plan.Groups
            .Select(g => new AdamW.ParamGroup(g.Parameters, lr: g.LearningRate, weight_decay: g.WeightDecay))
            .ToList();
        Optimizer = optim.AdamW(paramGroups);
        _groups = paramGroups
            .Select((group, i) => (group, plan.Groups[i].LearningRate, plan.Groups[i].Name.StartsWith("head", StringComparison.Ordinal)))
            .ToArray();
        _schedule = schedule;
    }

    /// <summary>The optimizer itself, for its state in a checkpoint.</summary>
    public OptimizerHelper Optimizer { get; }

    /// <summary>The head's current learning rate (NaN if the plan has no head group).</summary>
    public double HeadLearningRate => _groups.Where(g => g.IsHead).Select(g => g.Group.LearningRate).DefaultIfEmpty(double.NaN).First();

    /// <summary>Clears the gradients before a backward pass.</summary>
    public void ZeroGrad() => Optimizer.zero_grad();

    /// <summary>Sets every group's rate to its peak times the schedule at <paramref name="globalStep"/> (0-based), then steps.</summary>
    public void Step(long globalStep)
    {
        double factor = _schedule.Factor(globalStep);
        foreach (var (group, peak, _) in _groups)
        {
            group.LearningRate = peak * factor;
        }

        Optimizer.step();
    }

    public void Dispose() => Optimizer.Dispose();
}
