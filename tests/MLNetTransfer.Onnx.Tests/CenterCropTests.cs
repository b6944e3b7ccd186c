using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using MLNetTransfer.Onnx.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Onnx.Tests;

/// <summary>
/// The preprocessing nodes of the graph equal torchvision 0.14 (Debian's python3-torchvision): <c>F.center_crop</c>
/// (its offset rounding, both ways), then channel conversion, <c>/255</c> and <c>F.normalize</c>.
/// </summary>
public sealed class CenterCropTests
{
    // Reads cases "in_size crop c_in c_net path_in path_out" from argv; writes torchvision's result per case.
    private const string TorchvisionScript = """
import sys, numpy as np, torch
import torchvision.transforms.functional as F
args = sys.argv[1:]
mean = {1: [0.5], 3: [0.485, 0.456, 0.406]}
std = {1: [0.25], 3: [0.229, 0.224, 0.225]}
for i in range(0, len(args), 6):
    size, crop, cin, cnet = (int(a) for a in args[i:i + 4])
    x = torch.from_numpy(np.fromfile(args[i + 4], dtype='<f4').reshape(2, cin, size, size).copy())
    x = F.center_crop(x, [crop, crop])
    if cin == 3 and cnet == 1:
        x = 0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]
    elif cin == 1 and cnet == 3:
        x = x.expand(-1, 3, -1, -1)
    x = F.normalize(x / 255.0, mean[cnet], std[cnet])
    x.numpy().astype('<f4').tofile(args[i + 5])
""";

    private readonly ITestOutputHelper _output;

    public CenterCropTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Preprocessing_equals_torchvision_center_crop_and_normalize()
    {
        // Margins 8, 5 (offset 2.5 → 2), 32, 3 (1.5 → 2), 1 (0.5 → 0), 0; gray and RGB conversions.
        var cases = new (int Size, int Crop, int In, int Net)[]
        {
            (72, 64, 3, 3), (69, 64, 3, 1), (256, 224, 3, 3), (227, 224, 1, 3), (225, 224, 1, 1), (64, 64, 3, 3),
        };
        string dir = Path.Combine(Path.GetTempPath(), "mlnettransfer-onnx-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var args = cases.SelectMany((c, i) =>
            {
                File.WriteAllBytes(Path.Combine(dir, $"{i}.in"), MemoryMarshal.AsBytes(RawImages.Make(2, c.In, c.Size, seed: i).AsSpan()).ToArray());
                return new[] { $"{c.Size}", $"{c.Crop}", $"{c.In}", $"{c.Net}", Path.Combine(dir, $"{i}.in"), Path.Combine(dir, $"{i}.out") };
            }).ToArray();
            var (rc, _, stderr) = OnnxChecker.RunPython(TorchvisionScript, args);
            Assert.True(rc == 0, stderr);

            for (int i = 0; i < cases.Length; i++)
            {
                var c = cases[i];
                var spec = new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2)
                {
                    InputSize = c.Size, CropSize = c.Crop, InputChannels = c.In, NetworkChannels = c.Net,
                    Mean = c.Net == 3 ? ResNetOnnxSpec.Defaults.ImageNetMean : new[] { 0.5f },
                    Std = c.Net == 3 ? ResNetOnnxSpec.Defaults.ImageNetStd : new[] { 0.25f },
                };
                var g = new GraphBuilder("preprocessing");
                string output = Preprocessing.Add(g, spec, g.AddInput("Pixels", c.In, c.Size, c.Size));
                g.AddOutput(output, c.Net, c.Crop, c.Crop);
                using var session = new InferenceSession(Graphs.ToModel(g));
                var raw = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(dir, $"{i}.in"))).ToArray();
                var (shape, actual) = OrtRunner.Run(session, "Pixels", raw, new long[] { 2, c.In, c.Size, c.Size })[output];
                var expected = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(dir, $"{i}.out"))).ToArray();
                Assert.Equal(new long[] { 2, c.Net, c.Crop, c.Crop }, shape);
                float diff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
                _output.WriteLine($"{c.Size} → {c.Crop}, {c.In} → {c.Net} channels: offset {spec.CropOffset}, max |diff| vs torchvision {diff:E2}");
                Assert.True(diff <= 1e-5f, $"case {c}: differs from torchvision by {diff}");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
