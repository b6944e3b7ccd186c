using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MLNetTransfer.Data;

/// <summary>Which files and folders of a folder-per-class data set count as images and classes.</summary>
internal static class ImageFiles
{
    private static readonly string[] Extensions = { ".png", ".jpg", ".jpeg", ".dcm" };

    /// <summary>The extensions read, for messages.</summary>
    public static string ExtensionList => string.Join(", ", Extensions) + " or extensionless DICOM";

    /// <summary>
    /// True for a PNG, JPEG or DICOM file by its extension (any case), or a file without an extension that carries the
    /// DICOM preamble (DICOM's own media files, e.g. a DICOMDIR's IM000001, often have none). DICOM files are read by
    /// an <see cref="IImagePixelReader"/> (the MLNetTransfer.Dicom package); ML.NET's 8-bit loader refuses them.
    /// </summary>
    public static bool IsImage(string path)
    {
        string name = Path.GetFileName(path);
        if (IsHidden(name))
        {
            return false;
        }

        return Extensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase))
            || (!Path.HasExtension(name) && DicomPreamble.Has(path));
    }

    /// <summary>
    /// True for names a person did not put there as data: dot files and folders (".DS_Store", macOS's "._x.png"
    /// resource forks, which end in .png but are not images) and "__MACOSX", which zips made on a Mac carry and
    /// which the pediatric pneumonia set's archive has.
    /// </summary>
    public static bool IsHidden(string name) => name.StartsWith('.') || name == "__MACOSX";

    /// <summary>The visible subfolders of <paramref name="folder"/>, ordinal-sorted.</summary>
    public static string[] Subfolders(string folder) =>
        Directory.GetDirectories(folder).Where(d => !IsHidden(Path.GetFileName(d))).Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The images under <paramref name="folder"/> and its visible subfolders, ordinal-sorted by path so that runs see
    /// them in the same order on every file system; <paramref name="ignored"/> counts the other files.
    /// </summary>
    /// <remarks>
    /// Symbolic links to folders are followed (a class folder may link to images kept on another disk), but each folder
    /// is read once, by its real path: a link back to a folder above it (<c>train/A/loop -&gt; ..</c>), which would
    /// otherwise read the other classes' images as this class, or a second way into a folder already read, is refused.
    /// So is a link into one of <paramref name="otherClassFolders"/>, whose images would silently take this folder's label,
    /// and a link into one of <paramref name="otherSplitFolders"/>. A link to a single image is followed too, and refused
    /// by the same two rules (<c>A/x.png -&gt; ../B/y.png</c> is B's image labelled A).
    /// </remarks>
    /// <param name="folder">The folder to search.</param>
    /// <param name="ignored">Receives the number of files that are not images.</param>
    /// <param name="otherClassFolders">The other classes' folders of the same split, which no link may lead into.</param>
    /// <param name="otherSplitFolders">The data set's other split folders (<see cref="OtherSplitFolders"/>), which no link may lead into either: their images would be in two splits.</param>
    /// <exception cref="InvalidDataException">A link loops, reaches a folder twice, or leads into another class's or split's folder; names the link and its target.</exception>
    public static List<string> FindRecursive(string folder, out int ignored, IReadOnlyList<string>? otherClassFolders = null, IReadOnlyList<string>? otherSplitFolders = null)
    {
        var images = new List<string>();
        ignored = 0;
        string root = RealPath(folder);
        string[] others = (otherClassFolders ?? Array.Empty<string>()).Select(RealPath).ToArray();
        var splits = (otherSplitFolders ?? Array.Empty<string>()).Select(s => (Real: RealPath(s), Path: s)).ToArray();
        // Real path -> the path it was first reached by, for the message when a second path reaches it.
        var visited = new Dictionary<string, string>(StringComparer.Ordinal) { [root] = folder };
        var pending = new Stack<string>();
        pending.Push(folder);
        while (pending.Count > 0)
        {
            string current = pending.Pop();
            foreach (string file in Directory.GetFiles(current))
            {
                if (IsImage(file))
                {
                    CheckFileLink(file, folder, others, otherClassFolders, splits);
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
                    CheckLink(sub, root, folder, others, otherClassFolders, splits, visited);
                    pending.Push(sub);
                }
            }
        }

        images.Sort(StringComparer.Ordinal);
        return images;
    }

    /// <summary>
    /// Refuses a class folder that is itself a symbolic link (<c>train/A -&gt; /elsewhere/A</c>, followed) when it leads
    /// into another class's folder, which would read that class's images under this label, or into a split folder of the
    /// same data set (its own split, or train/, val/, validation/ or test/ beside it), which would read them again or move
    /// them between splits.
    /// </summary>
    /// <param name="classFolder">The class folder as listed in <paramref name="splitFolder"/>.</param>
    /// <param name="splitFolder">The folder whose subfolders are the classes.</param>
    /// <param name="otherClassFolders">The other classes' folders of the same split.</param>
    /// <exception cref="InvalidDataException">The link leads into another class or split folder; names the link, its target and the folder.</exception>
    public static void CheckClassFolder(string classFolder, string splitFolder, IReadOnlyList<string> otherClassFolders)
    {
        if (new DirectoryInfo(classFolder).LinkTarget is null)
        {
            return;
        }

        string real = RealPath(classFolder);
        string how = $"The class folder '{classFolder}' is a symbolic link to '{real}'";
        foreach (string other in otherClassFolders)
        {
            if (IsSameOrInside(real, RealPath(other)))
            {
                throw new InvalidDataException(
                    $"{how}, inside the folder of another class '{other}': its images would be labelled '{Path.GetFileName(classFolder)}' while they are '{Path.GetFileName(other)}'. " +
                    "Remove the link or point it outside the data set.");
            }
        }

        string split = RealPath(splitFolder);
        if (IsSameOrInside(split, real))
        {
            throw new InvalidDataException(
                $"{how}, which contains the split folder '{splitFolder}' itself: a symbolic link cycle, which would read every class's images under this class. Remove the link.");
        }

        foreach (string splitFolderOfTheSet in SplitFoldersBeside(splitFolder))
        {
            if (IsSameOrInside(real, RealPath(splitFolderOfTheSet)))
            {
                throw new InvalidDataException(
                    $"{how}, inside the split folder '{splitFolderOfTheSet}' of the same data set: its images would be read again, or in another split, under this class. " +
                    "Remove the link or point it outside the data set.");
            }
        }
    }

    /// <summary>
    /// When <paramref name="splitFolder"/> is one of train/, val/, validation/ or test/ of a data set, the other split
    /// folders beside it (FolderSplits.Locate's names); otherwise none.
    /// </summary>
    public static string[] OtherSplitFolders(string splitFolder) => SplitFoldersBeside(splitFolder).Skip(1).ToArray();

    // The split folder itself and, when it is one of train/, val/, validation/ or test/ of a data set, the other split
    // folders beside it (FolderSplits.Locate's names).
    private static IEnumerable<string> SplitFoldersBeside(string splitFolder)
    {
        string[] names = { "train", "val", "validation", "test" };
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(splitFolder));
        yield return full;
        if (Path.GetDirectoryName(full) is not { } dataSet || !names.Contains(Path.GetFileName(full), StringComparer.OrdinalIgnoreCase))
        {
            yield break;
        }

        foreach (string sibling in Subfolders(dataSet))
        {
            if (sibling != full && names.Contains(Path.GetFileName(sibling), StringComparer.OrdinalIgnoreCase))
            {
                yield return sibling;
            }
        }
    }

    // A link to a single image in another class's folder (A/x.png -> ../B/y.png) is that class's image under this label;
    // a link to an image outside the data set's classes is followed like any file.
    private static void CheckFileLink(string file, string folder, string[] others, IReadOnlyList<string>? otherNames, (string Real, string Path)[] splits)
    {
        if (new FileInfo(file).LinkTarget is null)
        {
            return;
        }

        string real = RealPath(file);
        for (int i = 0; i < others.Length; i++)
        {
            if (IsSameOrInside(real, others[i]))
            {
                throw new InvalidDataException(
                    $"'{file}' is a symbolic link to the image '{real}', in the folder of another class '{otherNames![i]}': it would be labelled as the class of '{folder}' " +
                    $"while it is an image of '{otherNames[i]}'. Remove the link, or copy the image if it belongs to both classes.");
            }
        }

        RefuseOtherSplit($"'{file}' is a symbolic link to the image '{real}'", real, splits);
    }

    // A link from one split into another (train/A/x.png -> ../../test/A/y.png) puts the same image in both: trained on and
    // then tested on, which inflates the test metrics.
    private static void RefuseOtherSplit(string how, string real, (string Real, string Path)[] splits)
    {
        foreach (var (splitReal, splitPath) in splits)
        {
            if (IsSameOrInside(real, splitReal))
            {
                throw new InvalidDataException(
                    $"{how}, inside the split folder '{splitPath}' of the same data set: its images would be in two splits at once. " +
                    "Remove the link, or copy the images if they belong to both splits.");
            }
        }
    }

    private static void CheckLink(
        string sub, string root, string folder, string[] others, IReadOnlyList<string>? otherNames, (string Real, string Path)[] splits, Dictionary<string, string> visited)
    {
        string real = RealPath(sub);
        bool isLink = new DirectoryInfo(sub).LinkTarget is not null;
        string how = isLink ? $"'{sub}' is a symbolic link to '{real}'" : $"'{sub}' (real path '{real}')";
        for (int i = 0; i < others.Length; i++)
        {
            if (IsSameOrInside(real, others[i]))
            {
                throw new InvalidDataException(
                    $"{how}, inside the folder of another class '{otherNames![i]}'; its images would be labelled as the class of '{folder}'. " +
                    "Remove the link or move the images into one class folder.");
            }
        }

        RefuseOtherSplit(how, real, splits);

        // A link to its own folder or one above it: root's real path is under the target, or (for a link deeper down) the
        // link's own folder is.
        if (IsSameOrInside(root, real) || (isLink && IsSameOrInside(RealPath(Path.GetDirectoryName(sub)!), real)))
        {
            throw new InvalidDataException(
                $"{how}, which contains the link itself: a symbolic link cycle, which would read the same images again and again under this class. Remove the link.");
        }

        if (!visited.TryAdd(real, sub))
        {
            throw new InvalidDataException(
                $"{how}, a folder already read as '{visited[real]}': its images would be read twice. Remove the link.");
        }
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies under it (both real paths).</summary>
    private static bool IsSameOrInside(string path, string folder) =>
        path == folder || path.StartsWith(folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>
    /// The path with every symbolic link in it resolved, as POSIX realpath(3) gives: a link may sit at any level, so
    /// each component is resolved in turn (DirectoryInfo.ResolveLinkTarget resolves the last component only).
    /// </summary>
    internal static string RealPath(string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string root = Path.GetPathRoot(full)!;
        string current = root;
        foreach (string part in full.Substring(root.Length).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Combine(current, part);
            FileSystemInfo? target = new DirectoryInfo(next).LinkTarget is null ? null : new DirectoryInfo(next).ResolveLinkTarget(returnFinalTarget: true);
            // The final target's own folders may be links too.
            current = target is null ? next : RealPath(target.FullName);
        }

        return current;
    }
}
