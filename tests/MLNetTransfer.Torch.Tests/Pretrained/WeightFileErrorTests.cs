using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using MLNetTransfer.Torch.Tests.Reference;
using MLNetTransfer.Torch.Weights;
using Xunit;

namespace MLNetTransfer.Torch.Tests.Pretrained;

/// <summary>Bad or absent weights fail with a message that names the file (and where to get it).</summary>
[Collection("NoParallelization")]
public sealed class WeightFileErrorTests : IClassFixture<TorchvisionReferences>
{
    private readonly TorchvisionReferences _refs;

    public WeightFileErrorTests(TorchvisionReferences refs) => _refs = refs;

    [Theory]
    [InlineData(".pth")]
    [InlineData(".safetensors")]
    [InlineData(".onnx")]
    public void A_truncated_file_is_refused_by_name(string format)
    {
        string source = format switch
        {
            ".pth" => _refs.PthPath("resnet18"),
            ".safetensors" => _refs.SafetensorsPath("resnet18"),
            _ => MLNetResNet18.ModelPath(),
        };
        string truncated = Path.Combine(Path.GetTempPath(), $"mlnettransfer-truncated-{Guid.NewGuid():N}{format}");
        try
        {
            var bytes = File.ReadAllBytes(source);
            File.WriteAllBytes(truncated, bytes.AsSpan(0, bytes.Length / 2).ToArray());
            var e = Assert.Throws<InvalidDataException>(() => PretrainedResNet.FromFile(truncated));
            Assert.Contains(truncated, e.Message);
        }
        finally
        {
            File.Delete(truncated);
        }
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var e = Assert.Throws<FileNotFoundException>(() => PretrainedResNet.FromFile("/nonexistent/resnet50.pth"));
        Assert.Contains("/nonexistent/resnet50.pth", e.Message);
    }

    [Fact]
    public void Absent_torchvision_weights_name_the_file_torchvision_uses_and_its_source()
    {
        string empty = Directory.CreateTempSubdirectory("mlnettransfer-cache-").FullName;
        try
        {
            var e = Assert.Throws<FileNotFoundException>(() => PretrainedResNet.FromTorchvision(ResNetArchitecture.ResNet50, cacheDirectory: empty));
            Assert.Contains("resnet50-0676ba61.pth", e.Message);
            Assert.Contains("https://download.pytorch.org/models/resnet50-0676ba61.pth", e.Message);
            Assert.Contains("IMAGENET1K_V1", e.Message);
            Assert.Contains(empty, e.Message);

            var v2 = Assert.Throws<FileNotFoundException>(() =>
                TorchvisionWeights.Resolve(ResNetArchitecture.ResNet152, TorchvisionWeightsVersion.ImageNet1KV2, empty));
            Assert.Contains("resnet152-f82ba261.pth", v2.Message);
            Assert.Throws<ArgumentException>(() => TorchvisionWeights.FileName(ResNetArchitecture.ResNet18, TorchvisionWeightsVersion.ImageNet1KV2));
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public void A_file_in_the_torch_hub_cache_is_found_by_torchvisions_name()
    {
        string cache = Directory.CreateTempSubdirectory("mlnettransfer-cache-").FullName;
        try
        {
            File.Copy(_refs.PthPath("resnet18"), Path.Combine(cache, "resnet18-f37072fd.pth"));
            using var model = PretrainedResNet.FromTorchvision(ResNetArchitecture.ResNet18, cacheDirectory: cache);
            Assert.Equal(ResNetLayout.ResNet18, model.Layout);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Fact]
    public async Task Downloads_are_kept_only_when_their_sha256_matches_the_name()
    {
        // SHA-256("hello") = 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824
        string dir = Directory.CreateTempSubdirectory("mlnettransfer-download-").FullName;
        try
        {
            using var client = new HttpClient(new FixedResponse("hello"u8.ToArray()));
            string good = Path.Combine(dir, "weights-2cf24dba.pth");
            await TorchvisionWeights.DownloadVerifiedAsync(client, new Uri("http://localhost/weights-2cf24dba.pth"), good, CancellationToken.None);
            Assert.Equal("hello", File.ReadAllText(good));

            string bad = Path.Combine(dir, "weights-deadbeef.pth");
            var e = await Assert.ThrowsAsync<InvalidDataException>(() =>
                TorchvisionWeights.DownloadVerifiedAsync(client, new Uri("http://localhost/weights-deadbeef.pth"), bad, CancellationToken.None));
            Assert.Contains("deadbeef", e.Message);
            Assert.False(File.Exists(bad));
            Assert.Single(Directory.GetFiles(dir)); // no partial file left behind
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private sealed class FixedResponse(byte[] body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) });
    }
}
