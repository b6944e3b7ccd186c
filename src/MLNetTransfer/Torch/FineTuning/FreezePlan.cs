using System;
using System.Collections.Generic;
using System.Linq;
using MLNetTransfer.Torch.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// Applies a resolved <see cref="FreezeStrategy"/> to a ResNet: the new head, which parameters train and at what
/// rate, and which BatchNorm layers stay frozen. Every parameter that will ever train is in
/// <see cref="Groups"/> from the start; head-only epochs and gradual unfreezing only switch <c>requires_grad</c>
/// (<see cref="Activate"/>), and AdamW skips parameters without a gradient (as torch.optim.AdamW does), so one
/// optimizer, and one checkpoint layout, serves the whole run.
/// </summary>
internal sealed class FreezePlan
{
    // Parts of the network in order: 0 = stem (conv1, bn1), 1..4 = layer1..layer4, 5 = head (fc).
    private const int Stem = 0;
    private const int Head = 5;

    private readonly ResNet _model;
    private readonly BatchNormMode _batchNormMode;
    private readonly Dictionary<string, int> _partOf = new(StringComparer.Ordinal);
    private readonly List<(string Name, Parameter Parameter, int Part, bool IsBatchNorm)> _parameters = new();
    private readonly List<(BatchNorm2d Module, int Part)> _batchNorms = new();
    private readonly int _firstTrainablePart;

    public FreezePlan(ResNet model, FreezeStrategy strategy, int outputs, BatchNormMode batchNormMode, double headLearningRate,
        double backboneLearningRateRatio, double weightDecay)
    {
        if (strategy.Kind == FreezeStrategyKind.Auto)
        {
            throw new ArgumentException("Resolve Auto with AutoStrategy.Choose before planning.", nameof(strategy));
        }

        _model = model;
        _batchNormMode = batchNormMode;
        Strategy = strategy;

        // The head: feature extraction gets a small MLP (more capacity where nothing else adapts), the others a Linear
        // layer. Names under fc.* as when torchvision users reassign model.fc.
        // On the model's device, so that every parameter the plan collects is the one training uses.
        var device = model.Conv1.weight!.device;
        model.ReplaceHead(strategy.Kind == FreezeStrategyKind.FeatureExtraction
            ? nn.Sequential(nn.Linear(model.FeatureCount, 256, device: device), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, outputs, device: device))
            : nn.Linear(model.FeatureCount, outputs, device: device));

        _firstTrainablePart = strategy.Kind switch
        {
            FreezeStrategyKind.FeatureExtraction => Head,
            FreezeStrategyKind.LastStages => Head - strategy.TrainableStages,
            _ => Stem,
        };

        foreach (var (name, module) in model.named_modules())
        {
            if (module is BatchNorm2d bn)
            {
                _batchNorms.Add((bn, PartOf(name)));
            }
        }

        var batchNormParameters = new HashSet<Parameter>(_batchNorms.SelectMany(b => b.Module.parameters()), ReferenceEqualityComparer.Instance);
        foreach (var (name, p) in model.named_parameters())
        {
            _parameters.Add((name, p, PartOf(name), batchNormParameters.Contains(p)));
        }

        Groups = BuildGroups(headLearningRate, backboneLearningRateRatio, weightDecay);
        TrainableParameterCount = Groups.Sum(g => g.Parameters.Sum(p => p.numel()));
        Activate(TrainableStages);
    }

    /// <summary>The strategy, resolved.</summary>
    public FreezeStrategy Strategy { get; }

    /// <summary>Number of backbone stages (of layer1..layer4, from layer4 down) this strategy trains in the end.</summary>
    public int TrainableStages => Strategy.TrainableStages;

    /// <summary>Every parameter that trains at some point, grouped by part and weight decay.</summary>
    public IReadOnlyList<ParameterGroupSpec> Groups { get; }

    /// <summary>Parameters that train once everything planned is unfrozen.</summary>
    public long TrainableParameterCount { get; }

    /// <summary>Parameters that train right now.</summary>
    public long ActiveParameterCount => _parameters.Where(p => p.Parameter.requires_grad).Sum(p => p.Parameter.numel());

    /// <summary>
    /// True when, at the current activation, no backbone parameter trains and the backbone's BatchNorm is in eval mode:
    /// backbone features are then a fixed function of the input and may be computed once.
    /// </summary>
    public bool BackboneIsConstant { get; private set; }

    /// <summary>
    /// Unfreezes the head and the last <paramref name="stages"/> of the strategy's trainable stages (0 = head only, as
    /// in the head-first phase); the stem trains only when everything does (full, scratch).
    /// </summary>
    public void Activate(int stages)
    {
        stages = Math.Clamp(stages, 0, TrainableStages);
        int firstActive = stages == 0 ? Head : (stages == 4 && _firstTrainablePart == Stem ? Stem : Head - stages);

        var evalBatchNorms = new List<BatchNorm2d>();
        foreach (var (bn, part) in _batchNorms)
        {
            if ((part < firstActive && _batchNormMode != BatchNormMode.Train) || _model.HasFoldedBatchNorm)
            {
                evalBatchNorms.Add(bn);
            }
        }

        foreach (var (_, p, part, isBatchNorm) in _parameters)
        {
            // Below the active part only BatchNorm's affine parameters may train, when the mode says so.
            bool trains = part >= firstActive || (isBatchNorm && _batchNormMode != BatchNormMode.Frozen);
            p.requires_grad = trains;
            if (!trains && p.grad is not null)
            {
                // AdamW skips parameters without a gradient; a stale (even zero) one would still get weight decay and
                // momentum. PyTorch's zero_grad(set_to_none=True) does the same.
                p.grad = null;
            }
        }

        _model.KeepInEvalMode(evalBatchNorms);
        BackboneIsConstant = firstActive == Head && _batchNormMode == BatchNormMode.Frozen;
    }

    private List<ParameterGroupSpec> BuildGroups(double headRate, double backboneRatio, double weightDecay)
    {
        double RateOf(int part) => Strategy.Kind switch
        {
            FreezeStrategyKind.Full => (Strategy.StageRates ?? StageLearningRates.ScaledTo(headRate)).ForStage(part == Stem ? 0 : part == Head ? 4 : part - 1),
            FreezeStrategyKind.FromScratch => headRate,
            _ => part == Head ? headRate : headRate * (Strategy.BackboneLearningRateRatio ?? backboneRatio),
        };

        var groups = new List<ParameterGroupSpec>();
        string[] partNames = { "stem", "layer1", "layer2", "layer3", "layer4", "head" };
        for (int part = Stem; part <= Head; part++)
        {
            var members = _parameters.Where(p => p.Part == part
                && (part >= _firstTrainablePart || (p.IsBatchNorm && _batchNormMode != BatchNormMode.Frozen))).ToList();
            // No weight decay on BatchNorm parameters and biases (timm's param_groups_weight_decay: ndim <= 1).
            var decay = members.Where(p => p.Parameter.dim() > 1).Select(p => p.Parameter).ToList();
            var noDecay = members.Where(p => p.Parameter.dim() <= 1).Select(p => p.Parameter).ToList();
            if (decay.Count > 0)
            {
                groups.Add(new ParameterGroupSpec(partNames[part], decay, RateOf(part), weightDecay));
            }

            if (noDecay.Count > 0)
            {
                groups.Add(new ParameterGroupSpec(partNames[part] + " (no decay)", noDecay, RateOf(part), 0));
            }
        }

        return groups;
    }

    private int PartOf(string name)
    {
        if (_partOf.TryGetValue(name, out int part))
        {
            return part;
        }

        part = name switch
        {
            _ when name.StartsWith("fc", StringComparison.Ordinal) => Head,
            _ when name.StartsWith("layer", StringComparison.Ordinal) && name.Length > 5 && char.IsDigit(name[5]) => name[5] - '0',
            _ => Stem,
        };
        _partOf[name] = part;
        return part;
    }
}
