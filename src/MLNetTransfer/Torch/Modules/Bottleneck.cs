using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

// Field names follow PyTorch's state_dict keys on purpose: torchvision's weights load by name, and the ONNX
// initializers carry the same names.
#pragma warning disable IDE1006

namespace MLNetTransfer.Torch.Modules;

/// <summary>
/// torchvision's <c>Bottleneck</c> (torchvision/models/resnet.py, "ResNet V1.5"): 1x1 → 3x3 (strided) → 1x1 with
/// expansion 4, each followed by BN, plus the identity or a 1x1 strided projection, then ReLU. The stride sits on the
/// 3x3 conv, as in torchvision, not on the first 1x1 conv as in the original paper.
/// </summary>
internal sealed class Bottleneck : Module<Tensor, Tensor>
{
    public const int Expansion = 4;

    private readonly Module<Tensor, Tensor> conv1;
    private readonly Module<Tensor, Tensor> bn1;
    private readonly Module<Tensor, Tensor> conv2;
    private readonly Module<Tensor, Tensor> bn2;
    private readonly Module<Tensor, Tensor> conv3;
    private readonly Module<Tensor, Tensor> bn3;
    private readonly Module<Tensor, Tensor>? downsample;

    public Bottleneck(string name, long inPlanes, long planes, long stride) : base(name)
    {
        long outPlanes = planes * Expansion;
        conv1 = Conv2d(inPlanes, planes, 1, bias: false);
        bn1 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
        bn2 = BatchNorm2d(planes);
        conv3 = Conv2d(planes, outPlanes, 1, bias: false);
        bn3 = BatchNorm2d(outPlanes);
        if (stride != 1 || inPlanes != outPlanes)
        {
            downsample = Sequential(Conv2d(inPlanes, outPlanes, 1, stride: stride, bias: false), BatchNorm2d(outPlanes));
        }

        RegisterComponents();
    }

    // In-place ReLUs and early releases, as in BasicBlock.forward (torchvision: nn.ReLU(inplace=True)).
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = conv1.call(x);
        y = Intermediates.Release(scope, y, bn1.call(y)).relu_();
        y = Intermediates.Release(scope, y, conv2.call(y));
        y = Intermediates.Release(scope, y, bn2.call(y)).relu_();
        y = Intermediates.Release(scope, y, conv3.call(y));
        y = Intermediates.Release(scope, y, bn3.call(y));
        var identity = downsample is null ? x : downsample.call(x);
        y.add_(identity);
        Intermediates.Drop(scope, identity); // the block's input belongs to the caller, so only a projection is dropped

        return scope.MoveToOuter(y.relu_());
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv1.Dispose();
            bn1.Dispose();
            conv2.Dispose();
            bn2.Dispose();
            conv3.Dispose();
            bn3.Dispose();
            downsample?.Dispose();
        }

        base.Dispose(disposing);
    }
}
