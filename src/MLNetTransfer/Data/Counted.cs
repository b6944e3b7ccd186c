namespace MLNetTransfer.Data;

/// <summary>"1 image", "2 images": counts in messages.</summary>
internal static class Counted
{
    public static string Of(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
