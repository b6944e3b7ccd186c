using Microsoft.ML;

namespace MLNetTransfer.Cli.Scoring;

/// <summary>
/// The library's image gate (<c>ml.Data.FindImageProblem</c>) for the files the command line scores: ML.NET's
/// LoadImages half-decodes a truncated file without a word and turns an unreadable one into an error that names no file,
/// so <c>evaluate</c>, <c>predict</c>, <c>compare</c> and train's test split check each file first. Training images are
/// checked by <c>FineTuneResNet</c> itself, before epoch 1.
/// </summary>
internal static class ImageCheck
{
    private static readonly MLContext Context = ProcessTempFolder.NewContext();

    /// <summary>Null when the file passes the gate (within <paramref name="maxPixels"/>, 0 for the default); otherwise why not.</summary>
    public static string? Problem(string path, long maxPixels = 0) => Context.Data.FindImageProblem(path, maxPixels);
}
