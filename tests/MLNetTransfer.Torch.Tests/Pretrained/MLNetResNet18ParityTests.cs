using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Torch.Modules;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests.Pretrained;

/// <summary>
/// Our eval-mode backbone with the weights imported from ML.NET's ResNet18 ONNX gives the 512-d features that ML.NET's
/// own <c>DnnFeaturizeImage</c> (ResNetPreprocess.onnx + ResNet18.onnx through ONNX Runtime) gives for the same images.
/// </summary>
[Collection("NoParallelization")]
public sealed class MLNetResNet18ParityTests
{
    private const int Size = 224;
    private readonly ITestOutputHelper _output;

    public MLNetResNet18ParityTests(ITestOutputHelper output) => _output = output;

    private sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";
    }

    private sealed class FeatureRow
    {
        [VectorType(512)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void Backbone_features_equal_DnnFeaturizeImage_features()
    {
        string dir = Directory.CreateTempSubdirectory("mlnettransfer-parity-").FullName;
        try
        {
            var images = Enumerable.Range(0, 4).Select(kind => TestImages.Rgb(kind, Size, seed: 42)).ToList();
            var rows = new List<ImageRow>();
            for (int i = 0; i < images.Count; i++)
            {
                string path = Path.Combine(dir, $"image{i}.png");
                TestImages.SavePng(path, images[i], Size);
                rows.Add(new ImageRow { ImagePath = path });
            }

            float[][] expected = MLNetFeatures(rows);

            using var model = MLNetResNet18.Load();
            Assert.Equal(ResNetLayout.MLNetResNet18, model.Layout);
            model.eval();
            var meanBgr = MLNetResNet18.MeanImageBgr();
            for (int i = 0; i < images.Count; i++)
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                // ML.NET's preprocessing, exactly: 0–255 pixels minus the mean image (channels swapped to our RGB order,
                // since the importer reversed conv1's input channels).
                var input = new float[3 * Size * Size];
                const int plane = Size * Size;
                for (int c = 0; c < 3; c++)
                {
                    for (int p = 0; p < plane; p++)
                    {
                        input[c * plane + p] = images[i][p * 3 + c] - meanBgr[(2 - c) * plane + p];
                    }
                }

                var features = model.ForwardFeatures(tensor(input, new long[] { 1, 3, Size, Size })).data<float>().ToArray();
                float maxAbs = expected[i].Max(MathF.Abs);
                float maxDiff = features.Zip(expected[i], (a, b) => MathF.Abs(a - b)).Max();
                _output.WriteLine($"image {i}: max |feature| {maxAbs:G4}, max |diff| {maxDiff:G4} ({maxDiff / maxAbs:E2} relative)");
                Assert.True(maxAbs > 0.1f, "ML.NET's features are all near zero; the comparison would prove nothing.");
                Assert.True(maxDiff <= 1e-4f * maxAbs, $"image {i}: max |diff| {maxDiff} > 1e-4 x {maxAbs}");
            }

            // The four images must not give the same features (the test would then not test the mapping).
            Assert.True(expected[0].Zip(expected[1], (a, b) => MathF.Abs(a - b)).Max() > 0.1f);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static float[][] MLNetFeatures(List<ImageRow> rows)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: nameof(ImageRow.ImagePath))
            // ExtractPixels needs a known-size image column; the images are 224 already, so this resize is the identity.
            .Append(ml.Transforms.ResizeImages("Image", Size, Size))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image")) // planar R, G, B; 0–255
            .Append(ml.Transforms.DnnFeaturizeImage("Features", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn), "Pixels"));
        var model = pipeline.Fit(data);
        try
        {
            return ml.Data.CreateEnumerable<FeatureRow>(model.Transform(data), reuseRowObject: false).Select(r => r.Features).ToArray();
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }
}
