using System;
using System.IO;
using Microsoft.ML;

namespace MLNetTransfer;

/// <summary>
/// Grad-CAM explanations (Selvaraju et al., ICCV 2017) of fine-tuned ResNets: from a saved model.zip
/// (<c>mlContext.Model.LoadGradCam</c>) or from a trained <see cref="ResNetFineTuneTransformer"/>. See
/// <see cref="GradCamExplainer"/>; needs libtorch (a TorchSharp runtime package) where it runs.
/// </summary>
public static class GradCamCatalog
{
    /// <summary>An explainer for the fine-tuned model saved at <paramref name="modelPath"/>, rebuilt from the ONNX graph inside it.</summary>
    /// <param name="catalog">The model catalog.</param>
    /// <param name="modelPath">A model.zip saved from a pipeline with a <see cref="ResNetFineTuneTransformer"/>.</param>
    /// <param name="pixelReader">
    /// For a model trained with <see cref="ResNetFineTuneTrainer.Options.PixelReader"/>, the reader it was trained with
    /// (its description must equal <see cref="ModelPixelInput.ReaderDescription"/>); null for a model fed ML.NET's 8-bit
    /// images, and for a PNG/JPEG reader, which the stored description rebuilds. Default null.
    /// </param>
    /// <exception cref="InvalidDataException">The file is not such a model.zip; the message names it.</exception>
    /// <exception cref="ArgumentException">The model needs a reader that was not given, or another one was.</exception>
    public static GradCamExplainer LoadGradCam(this ModelOperationsCatalog catalog, string modelPath, IImagePixelReader? pixelReader = null)
    {
        byte[] onnx = catalog.ExtractOnnx(modelPath);
        // The image steps run in a context of their own: ModelOperationsCatalog does not expose its MLContext, and
        // loading, resizing and extracting pixels draw no random numbers.
        return GradCamExplainer.FromOnnx(new MLContext(), onnx, Path.GetFullPath(modelPath), pixelReader);
    }

    /// <summary>An explainer for a trained transformer, rebuilt from its ONNX graph (<see cref="ResNetFineTuneTransformer.OnnxModel"/>).</summary>
    /// <param name="transformer">The fine-tuned transformer.</param>
    public static GradCamExplainer CreateGradCam(this ResNetFineTuneTransformer transformer)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        return GradCamExplainer.FromOnnx(new MLContext(), transformer.OnnxModel.ToArray(), "the fine-tuned transformer's graph", transformer.Reader);
    }
}
