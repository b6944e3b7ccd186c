using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using MLNetTransfer.Torch.Modules;
using MLNetTransfer.Torch.Weights;

namespace MLNetTransfer.Torch;

/// <summary>
/// Builds ResNets from pretrained weights: torchvision state_dicts (<c>.pth</c>, read as data only, and
/// <c>.safetensors</c>), ResNet graphs in ONNX files (torchvision exports), and the ImageNet network that ML.NET ships in
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>. The block layout follows the file.
/// </summary>
internal static partial class PretrainedResNet
{
    /// <summary>Loads a weights file: <c>.pth</c>/<c>.pt</c>, <c>.safetensors</c> or <c>.onnx</c> (by content where the extension says nothing).</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, of another format, or not a ResNet; the message names the file.</exception>
    /// <exception cref="WeightsMismatchException">The weights do not fit; the message names the keys.</exception>
    public static ResNet FromFile(string path, PretrainedOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Weights file '{path}' does not exist.", path);
        }

        var (layout, tensors, normalization, foldedBatchNorm) = ReadAny(path);
        var model = Build(layout, tensors, normalization, path, options ?? new PretrainedOptions());
        model.HasFoldedBatchNorm = foldedBatchNorm;
        return model;
    }

    /// <summary>
    /// torchvision's ImageNet weights for <paramref name="architecture"/> from the torch.hub cache (see
    /// <see cref="TorchvisionWeights"/>), downloaded first only when <paramref name="allowDownload"/> is set.
    /// </summary>
    public static ResNet FromTorchvision(
        ResNetArchitecture architecture,
        PretrainedOptions? options = null,
        TorchvisionWeightsVersion version = TorchvisionWeightsVersion.ImageNet1KV1,
        string? cacheDirectory = null,
        bool allowDownload = false)
    {
        options ??= new PretrainedOptions();
        options.ExpectedLayout ??= ResNetLayout.For(architecture);
        return FromFile(TorchvisionWeights.Resolve(architecture, version, cacheDirectory, allowDownload), options);
    }

    private static (ResNetLayout Layout, IReadOnlyList<StoredTensor> Tensors, InputNormalization Normalization, bool FoldedBatchNorm) ReadAny(string path)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".onnx")
        {
            var onnx = OnnxResNetImporter.Read(path);
            if (onnx.InChannels != 3)
            {
                throw new InvalidDataException($"'{path}' holds a ResNet with {onnx.InChannels} input channel(s); pretrained weights with 3 are read.");
            }

            return (onnx.Layout, onnx.Tensors, InputNormalization.ImageNet, onnx.FoldedBatchNorm);
        }

        IReadOnlyList<StoredTensor> tensors = ext switch
        {
            ".safetensors" => SafetensorsReader.Read(path),
            ".pth" or ".pt" or ".bin" or ".ckpt" => PthReader.Read(path),
            _ => IsZip(path) ? PthReader.Read(path) : SafetensorsReader.Read(path),
        };
        tensors = StripPrefix(tensors, "module."); // nn.DataParallel checkpoints
        return (InferLayout(tensors, path), tensors, InputNormalization.ImageNet, false);
    }

    private static bool IsZip(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var f = File.OpenRead(path);
        return f.Read(magic) == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
    }

    private static IReadOnlyList<StoredTensor> StripPrefix(IReadOnlyList<StoredTensor> tensors, string prefix) =>
        tensors.Count > 0 && tensors.All(t => t.Name.StartsWith(prefix, StringComparison.Ordinal))
            ? tensors.Select(t => new StoredTensor(t.Name[prefix.Length..], t.DType, t.Shape, t.Data)).ToList()
            : tensors;

    /// <summary>The layout a torchvision-style state_dict describes: blocks per stage from <c>layerS.B.</c> keys, bottleneck if <c>conv3</c> exists.</summary>
    internal static ResNetLayout InferLayout(IReadOnlyList<StoredTensor> tensors, string source)
    {
        var counts = new int[4];
        bool bottleneck = false;
        foreach (var t in tensors)
        {
            var m = BlockKey().Match(t.Name);
            if (!m.Success)
            {
                continue;
            }

            int stage = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) - 1;
            int block = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            counts[stage] = Math.Max(counts[stage], block + 1);
            bottleneck |= m.Groups[3].Value == "conv3";
        }

        if (counts.Any(c => c == 0) || !tensors.Any(t => t.Name == "conv1.weight"))
        {
            throw new InvalidDataException(
                $"'{source}' is not a torchvision ResNet state_dict: it lacks conv1.weight or blocks in one of layer1..layer4 (keys start with: {string.Join(", ", tensors.Take(5).Select(t => t.Name))}).");
        }

        var kind = bottleneck ? ResNetBlockKind.Bottleneck : ResNetBlockKind.Basic;
        return ResNetLayout.Identify(kind, counts);
    }

    [GeneratedRegex(@"^layer([1-4])\.(\d+)\.(conv\d|bn\d|downsample)")]
    private static partial Regex BlockKey();

    internal static ResNet Build(ResNetLayout layout, IReadOnlyList<StoredTensor> tensors, InputNormalization normalization, string source, PretrainedOptions options)
    {
        if (options.ExpectedLayout is { } expected && !expected.Equals(layout))
        {
            throw new InvalidDataException($"'{source}' holds {layout} but {expected} was asked for.");
        }

        var fcWeight = tensors.FirstOrDefault(t => t.Name == "fc.weight");
        bool useFileHead = fcWeight is not null && !options.SkipHead;
        long fileClasses = fcWeight?.Shape[0] ?? 0;
        if (useFileHead && options.NumClasses is { } n && n != fileClasses)
        {
            throw new ArgumentException(
                $"NumClasses is {n} but the head (fc) in '{source}' has {fileClasses} outputs; set SkipHead to train a new head.", nameof(options));
        }

        long numClasses = options.NumClasses ?? (useFileHead ? fileClasses : 1000);
        var model = new ResNet(layout, numClasses, inChannels: 3);
        try
        {
            // A file without a head (a featurizer) is read with the head skipped; strictness applies to the rest.
            var skip = useFileHead ? Array.Empty<string>() : new[] { "fc." };
            StateDictLoader.Load(model, tensors, source, options.Strict, skip, layout.ToString());
            model.Normalization = normalization;
            if (options.Grayscale)
            {
                GrayscaleStem.Adapt(model, options.GrayscaleAdaptation);
            }

            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
