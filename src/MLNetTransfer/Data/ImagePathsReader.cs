using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MLNetTransfer.Data;

/// <summary>
/// The images to score that a person names: files as given, folders searched by the rule the labelled readers follow
/// (<see cref="ImageFiles"/>), so that a folder scored is the folder trained on.
/// </summary>
internal static class ImagePathsReader
{
    /// <summary>
    /// The absolute paths of the files in <paramref name="paths"/> and of the images under its folders, in the order
    /// given and each folder's images in ordinal order. A file is taken whatever its extension: whoever named it wants
    /// it scored, and the image loader says whether it decodes.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// A path is blank or names nothing, or there are no images at all; the message names the path and <c>paths</c>.
    /// </exception>
    public static List<string> Read(IEnumerable<string> paths)
    {
        var given = paths.ToList();
        if (given.Count == 0)
        {
            throw new InvalidDataException($"{DataParameters.Paths}: no files or folders given.");
        }

        var images = new List<string>();
        for (int i = 0; i < given.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(given[i]))
            {
                throw new InvalidDataException($"{DataParameters.Paths}: entry {i} is blank; pass image files or folders.");
            }

            string full = Path.GetFullPath(given[i]);
            if (Directory.Exists(full))
            {
                images.AddRange(ImageFiles.FindRecursive(full, out _));
            }
            else if (File.Exists(full))
            {
                images.Add(full);
            }
            else
            {
                throw new InvalidDataException($"{DataParameters.Paths}: {full} is neither a file nor a folder.");
            }
        }

        return images.Count > 0
            ? images
            : throw new InvalidDataException($"{DataParameters.Paths}: no {ImageFiles.ExtensionList} files in {string.Join(", ", given)}.");
    }
}
