using System.Linq;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests.Native;

/// <summary>
/// libtorch loads and trains from the test output directory. On Debian 12 this fails with "GLIBCXX_3.4.32 not found"
/// unless the build target has patched the copied libLibTorchSharp.so (docs/design.md, "libtorch on Debian 12").
/// </summary>
[Collection("NoParallelization")]
public sealed class LibTorchLoadsTests
{
    [Fact]
    public void TinyConvNet_TrainsOneStepOnCpu()
    {
        random.manual_seed(1);
        using var model = nn.Sequential(
            ("conv", nn.Conv2d(3, 4, kernel_size: 3, padding: 1)),
            ("relu", nn.ReLU()),
            ("pool", nn.AdaptiveAvgPool2d(1)),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(4, 2)));
        using var optimizer = optim.SGD(model.parameters(), learningRate: 0.5);

        using var scope = NewDisposeScope();
        var before = model.parameters().Select(p => p.detach().clone()).ToList();
        var images = randn(8, 3, 16, 16);
        var labels = randint(0, 2, new long[] { 8 }, dtype: ScalarType.Int64);

        optimizer.zero_grad();
        var loss = nn.functional.cross_entropy(model.call(images), labels);
        loss.backward();
        optimizer.step();

        float value = loss.ToSingle();
        Assert.True(float.IsFinite(value), $"loss is {value}");
        var after = model.parameters().ToList();
        Assert.Equal(before.Count, after.Count);
        Assert.All(before.Zip(after), pair => Assert.False(pair.First.allclose(pair.Second), "a parameter did not change"));
    }
}
