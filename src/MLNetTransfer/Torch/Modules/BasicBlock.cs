using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

// Field names follow PyTorch's state_dict keys on purpose: torchvision's weights load by name, and the ONNX
// initializers carry the same names.
#pragma warning disable IDE1006

namespace MLNetTransfer.Torch.Modules;

/// <summary>
/// torchvision's <c>BasicBlock</c> (torchvision/models/resnet.py): 3x3 conv (strided) → BN → ReLU → 3x3 conv → BN,
/// plus the identity or a 1x1 strided projection (<c>downsample.0</c> conv, <c>downsample.1</c> BN), then ReLU.
/// </summary>
internal sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1;
    private readonly Module<Tensor, Tensor> bn1;
    private readonly Module<Tensor, Tensor> conv2;
    private readonly Module<Tensor, Tensor> bn2;
    private readonly Module<Tensor, Tensor>? downsample;

    public BasicBlock(string name, long inPlanes, long planes, long stride) : base(name)
    {
        conv1 = Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
        bn1 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, stride: 1, padding: 1, bias: false);
        bn2 = BatchNorm2d(planes);
        if (stride != 1 || inPlanes != planes)
        {
            downsample = Sequential(Conv2d(inPlanes, planes, 1, stride: stride, bias: false), BatchNorm2d(planes));
        }

        RegisterComponents();
    }

    // The ReLUs are in place, as torchvision's nn.ReLU(inplace=True): BatchNorm's backward needs its input, not its
    // output, and ReLU's needs only its result, so nothing autograd saved is overwritten. With the early releases, this
    // took the forward of a ResNet18 training step at 224 px (batch 16, CPU) from 277 to 252 ms.
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = conv1.call(x);
        y = Intermediates.Release(scope, y, bn1.call(y)).relu_();
        y = Intermediates.Release(scope, y, conv2.call(y));
        y = Intermediates.Release(scope, y, bn2.call(y));
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
            downsample?.Dispose();
        }

        base.Dispose(disposing);
    }
}
