using System;
using System.IO;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace MLNetTransfer.Torch.Weights;

/// <summary>Which torchvision ImageNet weights (torchvision.models.ResNetXX_Weights).</summary>
internal enum TorchvisionWeightsVersion
{
    /// <summary><c>IMAGENET1K_V1</c>: the original recipe (torchvision's only weights for ResNet18/34).</summary>
    ImageNet1KV1,
    /// <summary><c>IMAGENET1K_V2</c>: torchvision's newer recipe (ResNet50/101/152 only).</summary>
    ImageNet1KV2,
}

/// <summary>
/// Where torchvision's pretrained ResNet weights live: the file names torchvision uses (in
/// <c>torchvision/models/resnet.py</c>, <c>ResNetXX_Weights</c>), their source, and a local cache laid out like
/// torch.hub's (<c>$TORCH_HOME/hub/checkpoints</c>, by default <c>~/.cache/torch/hub/checkpoints</c>), so files
/// that PyTorch already downloaded are found. Nothing ships ResNet34–152 weights; without the file the error says which
/// file to get and from where. Downloading is opt-in and checks the SHA-256 prefix in the file name, as torch.hub does.
/// </summary>
internal static class TorchvisionWeights
{
    /// <summary>Where torchvision downloads its weights from.</summary>
    public const string BaseUrl = "https://download.pytorch.org/models/";

    /// <summary>torchvision's file name for <paramref name="architecture"/>'s ImageNet weights.</summary>
    public static string FileName(ResNetArchitecture architecture, TorchvisionWeightsVersion version = TorchvisionWeightsVersion.ImageNet1KV1) =>
        (architecture, version) switch
        {
            (ResNetArchitecture.ResNet18, TorchvisionWeightsVersion.ImageNet1KV1) => "resnet18-f37072fd.pth",
            (ResNetArchitecture.ResNet34, TorchvisionWeightsVersion.ImageNet1KV1) => "resnet34-b627a593.pth",
            (ResNetArchitecture.ResNet50, TorchvisionWeightsVersion.ImageNet1KV1) => "resnet50-0676ba61.pth",
            (ResNetArchitecture.ResNet50, TorchvisionWeightsVersion.ImageNet1KV2) => "resnet50-11ad3fa6.pth",
            (ResNetArchitecture.ResNet101, TorchvisionWeightsVersion.ImageNet1KV1) => "resnet101-63fe2227.pth",
            (ResNetArchitecture.ResNet101, TorchvisionWeightsVersion.ImageNet1KV2) => "resnet101-cd907fc2.pth",
            (ResNetArchitecture.ResNet152, TorchvisionWeightsVersion.ImageNet1KV1) => "resnet152-394f9c45.pth",
            (ResNetArchitecture.ResNet152, TorchvisionWeightsVersion.ImageNet1KV2) => "resnet152-f82ba261.pth",
            _ => throw new ArgumentException($"torchvision has no {version} weights for {architecture}.", nameof(version)),
        };

    /// <summary>The download address of <see cref="FileName"/>.</summary>
    public static Uri Url(ResNetArchitecture architecture, TorchvisionWeightsVersion version = TorchvisionWeightsVersion.ImageNet1KV1) =>
        new(BaseUrl + FileName(architecture, version));

    /// <summary>torch.hub's checkpoint folder: <c>$TORCH_HOME/hub/checkpoints</c>, <c>$XDG_CACHE_HOME/torch/hub/checkpoints</c> or <c>~/.cache/torch/hub/checkpoints</c>.</summary>
    public static string DefaultCacheDirectory
    {
        get
        {
            string? torchHome = Environment.GetEnvironmentVariable("TORCH_HOME");
            if (string.IsNullOrEmpty(torchHome))
            {
                string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
                string cache = string.IsNullOrEmpty(xdg)
                    ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
                    : xdg;
                torchHome = Path.Combine(cache, "torch");
            }

            return Path.Combine(torchHome, "hub", "checkpoints");
        }
    }

    /// <summary>
    /// The path of the weights file in <paramref name="cacheDirectory"/>; downloads it there first when it is missing and
    /// <paramref name="allowDownload"/> is set.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file is not there and downloading is not allowed; the message names the file and its source.</exception>
    public static string Resolve(
        ResNetArchitecture architecture,
        TorchvisionWeightsVersion version = TorchvisionWeightsVersion.ImageNet1KV1,
        string? cacheDirectory = null,
        bool allowDownload = false)
    {
        string dir = cacheDirectory ?? DefaultCacheDirectory;
        string name = FileName(architecture, version);
        string path = Path.Combine(dir, name);
        if (File.Exists(path))
        {
            return path;
        }

        if (!allowDownload)
        {
            throw new FileNotFoundException(
                $"The ImageNet weights of {architecture} are not on this machine: expected torchvision's '{name}' " +
                $"(torchvision.models.{architecture}_Weights.{(version == TorchvisionWeightsVersion.ImageNet1KV1 ? "IMAGENET1K_V1" : "IMAGENET1K_V2")}, " +
                $"{BaseUrl}{name}) in '{dir}'. Download it there, pass the file explicitly, or allow downloading. " +
                "Only ML.NET's ResNet18 (Microsoft.ML.DnnImageFeaturizer.ResNet18) ships with a package.",
                path);
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
        DownloadVerifiedAsync(client, Url(architecture, version), path, CancellationToken.None).GetAwaiter().GetResult();
        return path;
    }

    /// <summary>
    /// Downloads <paramref name="url"/> to <paramref name="destination"/> through a temporary file, and keeps it only if
    /// its SHA-256 starts with the hex digits after the last '-' of the file name (torch.hub's <c>check_hash</c>).
    /// </summary>
    internal static async Task DownloadVerifiedAsync(HttpClient client, Uri url, string destination, CancellationToken cancellationToken)
    {
        string expected = HashPrefix(Path.GetFileName(destination));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        string temp = destination + "." + Guid.NewGuid().ToString("N") + ".partial";
        try
        {
            using (var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false))
            {
                response.EnsureSuccessStatusCode();
                await using var source = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using var file = File.Create(temp);
                await source.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            }

            string actual;
            await using (var file = File.OpenRead(temp))
            {
                actual = Convert.ToHexString(await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false)).ToLowerInvariant();
            }

            if (!actual.StartsWith(expected, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"The download of '{url}' has SHA-256 {actual}, which does not start with '{expected}' as its name '{Path.GetFileName(destination)}' says; it was not kept.");
            }

            File.Move(temp, destination, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    // torch.hub: HASH_REGEX = re.compile(r'-([a-f0-9]*)\.'), the hash prefix of "resnet18-f37072fd.pth" is "f37072fd".
    private static string HashPrefix(string fileName)
    {
        int dash = fileName.LastIndexOf('-');
        int dot = fileName.IndexOf('.', dash + 1);
        if (dash < 0 || dot < 0 || dot == dash + 1)
        {
            throw new ArgumentException($"'{fileName}' carries no '-<sha256 prefix>.' to check the download against.", nameof(fileName));
        }

        return fileName[(dash + 1)..dot];
    }
}
