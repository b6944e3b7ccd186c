namespace MLNetTransfer.Data;

/// <summary>One image of a data set, as read from a class folder or a CSV row.</summary>
/// <param name="Path">The image file's absolute path.</param>
/// <param name="Label">The class, for single-label data; null for multi-label data.</param>
/// <param name="Labels">
/// One value per label column, for multi-label data, in the options' order: 1 positive, 0 negative, -1 uncertain, NaN
/// missing (a blank cell). Null for single-label data.
/// </param>
/// <param name="Group">The group (e.g. patient id) from the group column, so no group lands on both sides of a split; null without one.</param>
/// <param name="Source">Where the record came from, for error messages: "/data/train.csv line 12", or the class folder.</param>
internal sealed record ImageRecord(string Path, string? Label, float[]? Labels, string? Group, string Source);
