using System;
using System.Linq;
using System.Text.Json;
using MLNetTransfer.Torch.Losses;
using MLNetTransfer.Torch.Tests.Metrics;
using TorchSharp;
using Xunit;
using static MLNetTransfer.Torch.Tests.Reference.ReferenceJsonFile;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests.Losses;

/// <summary>Cross-entropy equals PyTorch 1.13's F.cross_entropy, class weights and label smoothing included.</summary>
[Collection("NoParallelization")]
public sealed class SingleLabelLossTests : IClassFixture<MetricReferences>
{
    private readonly MetricReferences _references;

    public SingleLabelLossTests(MetricReferences references)
    {
        _references = references;
    }

    [Fact]
    public void Equals_torch_cross_entropy_with_weights_and_label_smoothing()
    {
        var cases = _references.Cases("cross_entropy");
        for (int k = 0; k < cases.Count; k++)
        {
            JsonElement c = cases[k];
            int classes = c.GetProperty("classes").GetInt32();
            float[]? weights = c.GetProperty("weights").ValueKind == JsonValueKind.Null ? null : Floats(c.GetProperty("weights"));
            double smoothing = c.GetProperty("label_smoothing").GetDouble();
            var loss = new SingleLabelLoss(classes, weights, smoothing);

            using var scope = NewDisposeScope();
            Tensor logits = tensor(Floats(c.GetProperty("logits"))).reshape(-1, classes);
            Tensor targets = tensor(Ints(c.GetProperty("targets")).Select(t => (long)t).ToArray());
            double actual = loss.Compute(logits, targets).item<float>();
            AssertClose.Relative(c.GetProperty("loss").GetDouble(), actual, 1e-5, $"cross_entropy #{k} (C={classes}, weighted={weights is not null}, s={smoothing})");
        }
    }

    [Fact]
    public void Int32_targets_give_the_same_loss_and_the_gradient_reaches_the_logits()
    {
        var loss = new SingleLabelLoss(3, [1f, 2f, 0.5f], labelSmoothing: 0.1);
        using var scope = NewDisposeScope();
        Tensor logits = randn(4, 3, generator: new Generator(3)).requires_grad_();
        Tensor value = loss.Compute(logits, tensor(new long[] { 0, 2, 1, 2 }));
        Assert.Equal(value.item<float>(), loss.Compute(logits, tensor(new[] { 0, 2, 1, 2 })).item<float>());
        value.backward();
        Assert.True(logits.grad is not null && logits.grad.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Bad_settings_and_shapes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new SingleLabelLoss(3, [1f, 1f]));
        Assert.Throws<ArgumentException>(() => new SingleLabelLoss(2, [1f, 0f]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SingleLabelLoss(2, labelSmoothing: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SingleLabelLoss(2, labelSmoothing: double.NaN));

        var loss = new SingleLabelLoss(3);
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => loss.Compute(zeros(4, 2), zeros(4, ScalarType.Int64)));
        Assert.Throws<ArgumentException>(() => loss.Compute(zeros(4, 3), zeros(5, ScalarType.Int64)));
        Assert.Throws<ArgumentException>(() => loss.Compute(zeros(0, 3), zeros(0, ScalarType.Int64)));
    }
}
