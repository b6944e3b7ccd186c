using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MLNetTransfer.Cli.Data;

/// <summary>
/// Which files <c>predict</c> finds in a folder it is given: the rule of the library's data set reader (PNG and JPEG by
/// extension, hidden files and folders skipped), which <c>ImageFilesAgreeTests</c> holds this copy to.
/// </summary>
internal static class ImageFiles
{
    private static readonly string[] Extensions = { ".png", ".jpg", ".jpeg" };

    /// <summary>The extensions read, for messages.</summary>
    public static string ExtensionList => string.Join(", ", Extensions);

    /// <summary>True for a PNG or JPEG by its extension (any case). The engine decodes these two formats only.</summary>
    public static bool IsImage(string path) =>
        Extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase)) && !IsHidden(Path.GetFileName(path));

    /// <summary>
    /// True for names a person did not put there as data: dot files and folders (".DS_Store", macOS's "._x.png"
    /// resource forks, which end in .png but are not images) and "__MACOSX", which zips made on a Mac carry and
    /// which the pediatric pneumonia set's archive has.
    /// </summary>
    public static bool IsHidden(string name) => name.StartsWith('.') || name == "__MACOSX";

    /// <summary>
    /// The images under <paramref name="folder"/> and its visible subfolders, ordinal-sorted by path so that runs see
    /// them in the same order on every file system; <paramref name="ignored"/> counts the other files.
    /// </summary>
    public static List<string> FindRecursive(string folder, out int ignored)
    {
        var images = new List<string>();
        ignored = 0;
        var pending = new Stack<string>();
        pending.Push(folder);
        while (pending.Count > 0)
        {
            string current = pending.Pop();
            foreach (string file in Directory.GetFiles(current))
            {
                if (IsImage(file))
                {
                    images.Add(file);
                }
                else
                {
                    ignored++;
                }
            }

            foreach (string sub in Directory.GetDirectories(current))
            {
                if (!IsHidden(Path.GetFileName(sub)))
                {
                    pending.Push(sub);
                }
            }
        }

        images.Sort(StringComparer.Ordinal);
        return images;
    }
}
