using System.Collections.Generic;
using System.Linq;
using MLNetTransfer.Torch.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetTransfer.Bench.Training;

/// <summary>
/// What FineTuneStrategy.LastStages(2) with BatchNormMode.Frozen does to a ResNet (FreezePlan is internal to the engine),
/// for the bare loop: a new Linear head; stem, layer1 and layer2 frozen with their BatchNorm in eval mode; AdamW groups of
/// layer3 + layer4 at a tenth of the head's rate, no weight decay on 1-d parameters (BatchNorm, biases).
/// </summary>
internal static class Freezing
{
    public const double HeadRate = 1e-3;
    public const double BackboneRatio = 0.1;
    public const double WeightDecay = 1e-4;

    /// <summary>Applies the freezing and returns the optimizer and the BatchNorms to put back in eval mode after <c>train()</c>.</summary>
    public static (optim.Optimizer Optimizer, List<BatchNorm2d> FrozenBatchNorms, List<Parameter> Trainable) LastTwoStages(ResNet model, int classes)
    {
        model.ReplaceHead(nn.Linear(model.FeatureCount, classes));
        var groups = new List<AdamW.ParamGroup>();
        var trainable = new List<Parameter>();
        var frozenBatchNorms = new List<BatchNorm2d>();
        foreach (var (name, module) in model.named_modules())
        {
            if (module is BatchNorm2d bn && !IsTrainable(name))
            {
                frozenBatchNorms.Add(bn);
            }
        }

        foreach (var (name, p) in model.named_parameters())
        {
            p.requires_grad = IsTrainable(name);
        }

        foreach (var prefix in new[] { "layer3", "layer4", "fc" })
        {
            var members = model.named_parameters().Where(np => np.name.StartsWith(prefix, System.StringComparison.Ordinal)).Select(np => np.parameter).ToList();
            double rate = prefix == "fc" ? HeadRate : HeadRate * BackboneRatio;
            groups.Add(new AdamW.ParamGroup(members.Where(p => p.dim() > 1), lr: rate, weight_decay: WeightDecay));
            groups.Add(new AdamW.ParamGroup(members.Where(p => p.dim() <= 1), lr: rate, weight_decay: 0));
            trainable.AddRange(members);
        }

        return (optim.AdamW(groups), frozenBatchNorms, trainable);
    }

    private static bool IsTrainable(string name) =>
        name.StartsWith("layer3", System.StringComparison.Ordinal) || name.StartsWith("layer4", System.StringComparison.Ordinal)
        || name.StartsWith("fc", System.StringComparison.Ordinal);
}
