using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Tests.Conformance;
using Xunit;

namespace MLNetTransfer.Tests.Tasks;

/// <summary>
/// Training from scratch re-initialises every weight, so the deeper ResNets, whose ImageNet weights no package ships,
/// train from scratch without a weights file; a pretrained strategy with the same settings still asks for the file.
/// </summary>
[Collection("NoParallelization")]
public sealed class ScratchWithoutWeightsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ResNet34_trains_from_scratch_with_an_empty_torch_hub_cache(bool grayscale)
    {
        // An empty torch.hub cache, so that nothing on this machine can supply torchvision's file.
        string? torchHome = Environment.GetEnvironmentVariable("TORCH_HOME");
        var emptyCache = Directory.CreateTempSubdirectory("mlnettransfer-torch-home-");
        Environment.SetEnvironmentVariable("TORCH_HOME", emptyCache.FullName);
        try
        {
            using var train = new TestImages(32, seed: 51);
            using var test = new TestImages(8, seed: 52);
            var ml = new MLContext(seed: 1);
            ResNetFineTuneTrainer.Options Options(FreezeStrategy strategy)
            {
                var options = TestImages.FastOptions(epochs: 1);
                options.Architecture = ResNetArchitecture.ResNet34;
                options.Strategy = strategy;
                options.Grayscale = grayscale;
                return options;
            }

            // The control: a pretrained ResNet34 needs torchvision's file, and the error names it.
            var missing = Assert.Throws<FileNotFoundException>(() =>
                TestImages.KeyAndImages(ml).Append(ml.Transforms.FineTuneResNet(Options(FreezeStrategy.LastStages(1)))).Fit(train.Load(ml)));
            Assert.Contains("resnet34", missing.Message, StringComparison.Ordinal);

            using var model = TestImages.KeyAndImages(ml).Append(ml.Transforms.FineTuneResNet(Options(FreezeStrategy.FromScratch))).Fit(train.Load(ml));
            var fineTune = model.OfType<ResNetFineTuneTransformer>().Single();
            Assert.Equal(FreezeStrategyKind.FromScratch, fineTune.TrainingResult.Strategy.Kind);
            Assert.InRange(fineTune.TrainingResult.TrainableParameters, 21_000_000, 21_500_000); // resnet34: 21.3 M with a 2-class head
            var scores = model.Transform(test.Load(ml)).GetColumn<float[]>("Score").ToList();
            Assert.Equal(8, scores.Count);
            Assert.All(scores, s => Assert.Equal(1f, s.Sum(), 4));
        }
        finally
        {
            Environment.SetEnvironmentVariable("TORCH_HOME", torchHome);
            emptyCache.Delete(recursive: true);
        }
    }
}
