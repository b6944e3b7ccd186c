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

/// <summary>
/// Masked BCE equals PyTorch 1.13's binary_cross_entropy_with_logits(reduction='none', pos_weight) averaged over the
/// known targets, under each CheXpert uncertainty policy.
/// </summary>
[Collection("NoParallelization")]
public sealed class MultiLabelLossTests : IClassFixture<MetricReferences>
{
    private readonly MetricReferences _references;

    public MultiLabelLossTests(MetricReferences references)
    {
        _references = references;
    }

    [Fact]
    public void Equals_torch_masked_bce_with_pos_weight_under_each_policy()
    {
        var cases = _references.Cases("bce");
        for (int k = 0; k < cases.Count; k++)
        {
            JsonElement c = cases[k];
            int labels = c.GetProperty("labels").GetInt32();
            float[]? posWeight = c.GetProperty("pos_weight").ValueKind == JsonValueKind.Null ? null : Floats(c.GetProperty("pos_weight"));
            var policy = Enum.Parse<UncertaintyPolicy>(c.GetProperty("policy").GetString()!);
            var loss = new MultiLabelLoss(labels, posWeight, policy);

            using var scope = NewDisposeScope();
            Tensor logits = tensor(Floats(c.GetProperty("logits"))).reshape(-1, labels);
            Tensor targets = tensor(Floats(c.GetProperty("targets"))).reshape(-1, labels);
            double actual = loss.Compute(logits, targets).item<float>();
            AssertClose.Relative(c.GetProperty("loss").GetDouble(), actual, 1e-5, $"bce #{k} ({policy}, pos_weight={posWeight is not null})");
        }
    }

    [Fact]
    public void Missing_targets_pass_no_gradient_and_no_NaN()
    {
        var loss = new MultiLabelLoss(2, [3f, 0.5f]);
        using var scope = NewDisposeScope();
        Tensor logits = tensor(new[] { 0.3f, -1.2f, 2.0f, 0.7f }).reshape(2, 2).requires_grad_();
        Tensor targets = tensor(new[] { 1f, float.NaN, -1f, 0f }).reshape(2, 2);
        Tensor value = loss.Compute(logits, targets);
        value.backward();
        float[] grad = logits.grad!.data<float>().ToArray();
        Assert.All(grad, g => Assert.True(float.IsFinite(g)));
        Assert.Equal(0f, grad[1]); // NaN: missing
        Assert.Equal(0f, grad[2]); // -1 under U-Ignore: missing
        Assert.NotEqual(0f, grad[0]);
        Assert.NotEqual(0f, grad[3]);
    }

    [Fact]
    public void A_batch_with_every_target_missing_gives_zero()
    {
        var loss = new MultiLabelLoss(3);
        using var scope = NewDisposeScope();
        Tensor logits = randn(2, 3).requires_grad_();
        Tensor value = loss.Compute(logits, full(2, 3, float.NaN));
        Assert.Equal(0f, value.item<float>());
        value.backward();
        Assert.Equal(0f, logits.grad!.abs().sum().item<float>());
    }

    [Fact]
    public void The_tensor_and_array_policies_agree()
    {
        float[] raw = [1f, 0f, -1f, float.NaN, 0.25f];
        foreach (UncertaintyPolicy policy in Enum.GetValues<UncertaintyPolicy>())
        {
            using var scope = NewDisposeScope();
            float[] fromTensor = policy.Apply(tensor(raw)).data<float>().ToArray();
            Assert.Equal(policy.Apply(raw), fromTensor);
        }

        Assert.Equal([1f, 0f, float.NaN, float.NaN, 0.25f], UncertaintyPolicy.Ignore.Apply(raw));
        Assert.Equal([1f, 0f, 1f, float.NaN, 0.25f], UncertaintyPolicy.Ones.Apply(raw));
        Assert.Equal([1f, 0f, 0f, float.NaN, 0.25f], UncertaintyPolicy.Zeros.Apply(raw));
    }

    [Fact]
    public void Bad_settings_and_shapes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new MultiLabelLoss(3, [1f, 1f]));
        Assert.Throws<ArgumentException>(() => new MultiLabelLoss(2, [1f, float.PositiveInfinity]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiLabelLoss(2, uncertainty: (UncertaintyPolicy)7));

        var loss = new MultiLabelLoss(3);
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => loss.Compute(zeros(4, 2), zeros(4, 2)));
        Assert.Throws<ArgumentException>(() => loss.Compute(zeros(4, 3), zeros(4, 2)));
    }
}
