namespace MLNetTransfer.Cli.Scoring;

/// <summary>
/// An image that <c>--bad-images skip</c> left out, as metrics.json's <c>skipped_images</c> and the report list it.
/// </summary>
/// <param name="Path">The image file.</param>
/// <param name="Split">"train", "validation" or "test" (train), or "test" or "data" (evaluate: the test split, or all of --data).</param>
/// <param name="Reason">Why the image gate refused it, worded to follow the path.</param>
internal sealed record SkippedImageRow(string Path, string Split, string Reason)
{
    public const string TrainSplit = "train";
    public const string ValidationSplit = "validation";
    public const string TestSplit = "test";

    /// <summary>The training and validation images FineTuneResNet left out, by the data it names (<c>SkippedImage.Data</c>).</summary>
    public static SkippedImageRow FromLibrary(SkippedImage image) =>
        new(image.Path, image.Data == "The validation set" ? ValidationSplit : TrainSplit, image.Reason);
}
