using System;
using System.Collections.Generic;
using System.Linq;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Modules;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests.FineTuning;

/// <summary>Which parameters get gradients under each strategy, and what frozen BatchNorm does over training steps.</summary>
[Collection("NoParallelization")]
public sealed class FreezePlanTests
{
    [Fact]
    public void Feature_extraction_trains_only_an_mlp_head()
    {
        using var model = new ResNet(ResNetLayout.ResNet18);
        var plan = new FreezePlan(model, FreezeStrategy.FeatureExtraction, outputs: 2, BatchNormMode.Frozen, 1e-3, 0.1, 1e-4);
        var grads = ParametersWithGradients(model);
        Assert.All(grads, n => Assert.StartsWith("fc.", n));
        Assert.Equal(new[] { "fc.0.bias", "fc.0.weight", "fc.3.bias", "fc.3.weight" }, grads.OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(512 * 256 + 256 + 256 * 2 + 2, plan.TrainableParameterCount);
        Assert.True(plan.BackboneIsConstant);
    }

    [Theory]
    [InlineData(1, "layer4.")]
    [InlineData(2, "layer3.")]
    [InlineData(4, "layer1.")]
    public void Last_stages_train_those_stages_and_a_linear_head(int stages, string firstTrained)
    {
        using var model = new ResNet(ResNetLayout.ResNet18);
        var plan = new FreezePlan(model, FreezeStrategy.LastStages(stages), outputs: 3, BatchNormMode.Frozen, 1e-3, 0.1, 1e-4);
        var grads = ParametersWithGradients(model);
        string[] order = { "conv1.", "bn1.", "layer1.", "layer2.", "layer3.", "layer4.", "fc." };
        int first = Array.IndexOf(order, firstTrained);
        foreach (var (name, _) in model.named_parameters())
        {
            bool shouldTrain = order.Skip(first).Any(p => name.StartsWith(p, StringComparison.Ordinal));
            Assert.True(shouldTrain == grads.Contains(name), $"{name}: expected {(shouldTrain ? "trained" : "frozen")}");
        }

        Assert.Contains("fc.weight", grads);
        Assert.Equal(grads.Sum(n => model.get_parameter(n)!.numel()), plan.TrainableParameterCount);
        Assert.False(plan.BackboneIsConstant);
        // The backbone trains at a tenth of the head's rate (docs/pitfalls.md, "Head first, lower rates for the
        // backbone").
        Assert.All(plan.Groups.Where(g => !g.Name.StartsWith("head", StringComparison.Ordinal)), g => Assert.Equal(1e-4, g.LearningRate, 12));
    }

    [Fact]
    public void Full_fine_tuning_has_discriminative_rates_and_no_weight_decay_on_batchnorm_and_biases()
    {
        using var model = new ResNet(ResNetLayout.ResNet18);
        var plan = new FreezePlan(model, FreezeStrategy.Full(), outputs: 2, BatchNormMode.Frozen, 1e-3, 0.1, 0.05);
        Assert.Equal(model.parameters().Sum(p => p.numel()), plan.TrainableParameterCount);
        var rates = plan.Groups.ToDictionary(g => g.Name, g => g.LearningRate);
        Assert.Equal(1e-5, rates["stem"]);
        Assert.Equal(1e-5, rates["layer1"]);
        Assert.Equal(1e-5, rates["layer2"]);
        Assert.Equal(1e-4, rates["layer3"]);
        Assert.Equal(1e-4, rates["layer4"]);
        Assert.Equal(1e-3, rates["head"]);
        foreach (var g in plan.Groups)
        {
            bool noDecay = g.Name.EndsWith("(no decay)", StringComparison.Ordinal);
            Assert.Equal(noDecay ? 0 : 0.05, g.WeightDecay);
            Assert.All(g.Parameters, p => Assert.Equal(noDecay, p.dim() <= 1));
        }
    }

    [Fact]
    public void Full_default_rates_follow_the_learning_rate()
    {
        using var model = new ResNet(ResNetLayout.ResNet18);
        var plan = new FreezePlan(model, FreezeStrategy.Full(), outputs: 2, BatchNormMode.Frozen, 2e-3, 0.1, 0);
        var rates = plan.Groups.ToDictionary(g => g.Name, g => g.LearningRate);
        Assert.Equal(2e-3, rates["head"], 15);
        Assert.Equal(2e-4, rates["layer4"], 15);
        Assert.Equal(2e-5, rates["layer1"], 15);
        Assert.Equal(2e-5, rates["stem"], 15);
    }

    [Fact]
    public void Head_first_then_gradual_unfreezing()
    {
        using var model = new ResNet(ResNetLayout.ResNet18);
        var plan = new FreezePlan(model, FreezeStrategy.LastStages(2), outputs: 2, BatchNormMode.Frozen, 1e-3, 0.1, 1e-4);
        plan.Activate(0);
        Assert.All(ParametersWithGradients(model), n => Assert.StartsWith("fc.", n));
        Assert.True(plan.BackboneIsConstant);
        plan.Activate(1);
        Assert.Contains("layer4.0.conv1.weight", ParametersWithGradients(model));
        Assert.DoesNotContain("layer3.0.conv1.weight", ParametersWithGradients(model));
        plan.Activate(2);
        Assert.Contains("layer3.0.conv1.weight", ParametersWithGradients(model));
        Assert.DoesNotContain("layer2.0.conv1.weight", ParametersWithGradients(model));
    }

    [Fact]
    public void Freezing_again_drops_stale_gradients_so_the_optimizer_leaves_those_weights_alone()
    {
        using var model = new ResNet(ResNetLayout.ResNet18);
        var plan = new FreezePlan(model, FreezeStrategy.LastStages(1), outputs: 2, BatchNormMode.Frozen, 1e-3, 0.1, 1e-4);
        ParametersWithGradients(model);
        var layer4 = model.get_parameter("layer4.0.conv1.weight")!;
        Assert.NotNull(layer4.grad);
        plan.Activate(0);
        Assert.Null(layer4.grad);
        Assert.False(layer4.requires_grad);
    }

    [Theory]
    [InlineData(BatchNormMode.Frozen, false, false)]
    [InlineData(BatchNormMode.TrainAffineOnly, false, true)]
    [InlineData(BatchNormMode.Train, true, true)]
    public void Frozen_stage_batchnorm_follows_the_mode_across_train_calls(BatchNormMode mode, bool statsChange, bool affineTrains)
    {
        random.manual_seed(3);
        using var model = new ResNet(ResNetLayout.ResNet18, numClasses: 2);
        var plan = new FreezePlan(model, FreezeStrategy.LastStages(1), outputs: 2, mode, 1e-3, 0.1, 1e-4);
        var frozenBn = (TorchSharp.Modules.BatchNorm2d)model.named_modules().First(m => m.name == "layer2.0.bn1").module;
        var trainedBn = (TorchSharp.Modules.BatchNorm2d)model.named_modules().First(m => m.name == "layer4.0.bn1").module;
        var frozenMean = frozenBn.running_mean!.clone();
        var trainedMean = trainedBn.running_mean!.clone();
        var frozenWeight = frozenBn.weight!.clone();

        using var optimizer = optim.AdamW(plan.Groups.Select(g => new TorchSharp.Modules.AdamW.ParamGroup(g.Parameters, lr: g.LearningRate, weight_decay: g.WeightDecay)));
        for (int step = 0; step < 3; step++)
        {
            model.train(); // every epoch calls this: frozen BatchNorm must stay in eval mode (docs/pitfalls.md)
            using var scope = NewDisposeScope();
            var loss = nn.functional.cross_entropy(model.call(randn(4, 3, 32, 32) * 2 + 1), tensor(new long[] { 0, 1, 0, 1 }));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }

        Assert.Equal(statsChange, !frozenBn.running_mean!.allclose(frozenMean));
        Assert.Equal(affineTrains, !frozenBn.weight!.allclose(frozenWeight));
        Assert.False(trainedBn.running_mean!.allclose(trainedMean)); // the trained stage's BatchNorm learns its statistics
        Assert.Equal(!statsChange, !frozenBn.training);
    }

    private static HashSet<string> ParametersWithGradients(ResNet model)
    {
        model.train();
        using var scope = NewDisposeScope();
        foreach (var p in model.parameters())
        {
            p.grad?.zero_();
        }

        var loss = model.call(randn(2, 3, 32, 32)).sum();
        loss.backward();
        return model.named_parameters().Where(np => np.parameter.requires_grad && np.parameter.grad is not null && np.parameter.grad.abs().sum().item<float>() > 0)
            .Select(np => np.name).ToHashSet();
    }
}
