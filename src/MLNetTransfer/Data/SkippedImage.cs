namespace MLNetTransfer;

/// <summary>
/// An image that <see cref="BadImagePolicy.Skip"/> left out of training or validation
/// (<see cref="ResNetFineTuneTransformer.SkippedImages"/>).
/// </summary>
/// <param name="Path">
/// The image file as the path column gave it (joined to <see cref="ResNetFineTuneTrainer.Options.ImageFolder"/>); for an
/// MLImage column, the image's tag (the file <c>LoadImages</c> read) or, without one, "column row N".
/// </param>
/// <param name="Data">Which data it was in: "The training data" or "The validation set".</param>
/// <param name="Row">Its 0-based row in that data view.</param>
/// <param name="Reason">Why the gate refused it, worded to follow the path (e.g. "is truncated or corrupt: ...").</param>
public sealed record SkippedImage(string Path, string Data, long Row, string Reason);
