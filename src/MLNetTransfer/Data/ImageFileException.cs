using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MLNetTransfer;

/// <summary>
/// Image files that the image gate refused before any work was done with them: missing, not a PNG or JPEG, over
/// <see cref="ResNetFineTuneTrainer.Options.MaxImagePixels"/>, smaller than the crop, truncated or corrupt.
/// <see cref="Problems"/> names every file and why; the message names the first few. An <see cref="IOException"/>,
/// as a file that cannot be read is (<see cref="InvalidDataException"/> is sealed).
/// </summary>
public sealed class ImageFileException : IOException
{
    internal ImageFileException(string context, IReadOnlyList<KeyValuePair<string, string>> problems)
        : base($"{context}: {problems.Count} image file(s) refused: " +
            string.Join("; ", problems.Take(5).Select(p => $"'{p.Key}' {p.Value}")) + (problems.Count > 5 ? "; ..." : "") + ".")
    {
        Problems = problems;
    }

    /// <summary>Each refused file (as given) and why it was refused, in data order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Problems { get; }
}
