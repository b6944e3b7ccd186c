using System;
using System.Linq;
using MLNetTransfer.Torch.Modules;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests;

/// <summary>The five depths have torchvision's parameter counts; stems of 1 or 3 channels; a replaceable head; no leaks.</summary>
[Collection("NoParallelization")]
public sealed class ResNetFamilyTests
{
    // torchvision's documented num_params (torchvision/models/resnet.py, ResNetXX_Weights.IMAGENET1K_V1.meta).
    [Theory]
    [InlineData(ResNetArchitecture.ResNet18, 11_689_512)]
    [InlineData(ResNetArchitecture.ResNet34, 21_797_672)]
    [InlineData(ResNetArchitecture.ResNet50, 25_557_032)]
    [InlineData(ResNetArchitecture.ResNet101, 44_549_160)]
    [InlineData(ResNetArchitecture.ResNet152, 60_192_808)]
    public void Parameter_counts_are_torchvisions(ResNetArchitecture architecture, long expected)
    {
        using var model = new ResNet(ResNetLayout.For(architecture));
        Assert.Equal(expected, model.parameters().Sum(p => p.numel()));
        Assert.Equal(architecture <= ResNetArchitecture.ResNet34 ? 512 : 2048, model.FeatureCount);
    }

    [Fact]
    public void The_mlnet_layout_has_three_blocks_in_layer4()
    {
        using var model = new ResNet(ResNetLayout.MLNetResNet18, numClasses: 2);
        var keys = model.state_dict().Keys.ToList();
        Assert.Contains("layer4.2.conv2.weight", keys);
        Assert.DoesNotContain("layer4.3.conv1.weight", keys);
        Assert.Equal(22, keys.Count(k => k.EndsWith("conv1.weight", StringComparison.Ordinal) || k.EndsWith("conv2.weight", StringComparison.Ordinal) || k.EndsWith("downsample.0.weight", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Forward_gives_logits_and_features_for_one_or_three_channels(int channels)
    {
        using var model = new ResNet(ResNetLayout.ResNet18, numClasses: 5, inChannels: channels);
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = randn(2, channels, 64, 64);
        Assert.Equal(new long[] { 2, 5 }, model.call(x).shape);
        Assert.Equal(new long[] { 2, 512 }, model.ForwardFeatures(x).shape);
        Assert.Equal(channels, model.Normalization.Channels);
    }

    [Fact]
    public void Other_channel_counts_are_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ResNet(ResNetLayout.ResNet18, inChannels: 4));
        Assert.Equal("inChannels", e.ParamName);
    }

    [Fact]
    public void A_replaced_head_appears_under_fc_in_the_state_dict()
    {
        using var model = new ResNet(ResNetLayout.ResNet18);
        model.ReplaceHead(nn.Sequential(nn.Linear(512, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 2)));
        var keys = model.state_dict().Keys.ToList();
        Assert.Contains("fc.0.weight", keys);
        Assert.Contains("fc.3.bias", keys);
        Assert.DoesNotContain("fc.weight", keys);
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Assert.Equal(new long[] { 1, 2 }, model.call(randn(1, 3, 32, 32)).shape);
    }

    [Fact]
    public void Forward_leaves_no_live_tensors_behind()
    {
        using var model = new ResNet(ResNetLayout.ResNet18, numClasses: 2);
        model.eval();
        using (var warmup = NewDisposeScope())
        {
            model.call(randn(1, 3, 32, 32));
        }

        var stats = DisposeScopeManager.Statistics;
        stats.Reset();
        for (int i = 0; i < 3; i++)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var logits = model.call(randn(2, 3, 32, 32));
            Assert.True(float.IsFinite(logits.sum().item<float>()));
        }

        Assert.Equal(0, stats.ThreadTotalLiveCount);
    }
}
