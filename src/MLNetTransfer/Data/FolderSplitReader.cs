using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MLNetTransfer.Data;

/// <summary>Reads one split laid out as one subfolder per class (<c>train/NORMAL/*.png</c>, <c>train/PNEUMONIA/*.png</c>).</summary>
internal static class FolderSplitReader
{
    /// <summary>
    /// Reads the images under each class subfolder of <paramref name="splitFolder"/>, classes in ordinal order; notes
    /// ignored files and empty class folders in <paramref name="warnings"/>.
    /// </summary>
    /// <param name="splitFolder">The absolute path of the folder whose subfolders are the classes.</param>
    /// <param name="option">The parameter the folder came from, for messages ("dataPath", "ValidationPath").</param>
    /// <param name="warnings">Receives notes that do not stop reading.</param>
    /// <exception cref="InvalidDataException">The folder has no class subfolders or no images, or a symbolic link (a class folder, a folder or an image in one) loops or leads into another class's or split's folder.</exception>
    public static List<ImageRecord> Read(string splitFolder, string option, List<string> warnings)
    {
        string[] classFolders = ImageFiles.Subfolders(splitFolder);
        int looseFiles = Directory.GetFiles(splitFolder).Length;
        if (classFolders.Length == 0)
        {
            throw new InvalidDataException(
                $"{splitFolder} ({option}): no class subfolders. A folder data set has one subfolder per class holding its images " +
                $"({Path.Combine(splitFolder, "NORMAL")}, {Path.Combine(splitFolder, "PNEUMONIA")}, ...), optionally under train/, val/ and test/; " +
                $"or pass a CSV file.{(looseFiles > 0 ? $" Files directly in the folder ({looseFiles}) are not read." : string.Empty)}");
        }

        var records = new List<ImageRecord>();
        string[] otherSplits = ImageFiles.OtherSplitFolders(splitFolder);
        int ignored = looseFiles;
        foreach (string classFolder in classFolders)
        {
            string label = Path.GetFileName(classFolder);
            string[] otherClasses = classFolders.Where(f => f != classFolder).ToArray();
            ImageFiles.CheckClassFolder(classFolder, splitFolder, otherClasses);
            List<string> images = ImageFiles.FindRecursive(classFolder, out int otherFiles, otherClasses, otherSplits);
            ignored += otherFiles;
            if (images.Count == 0)
            {
                warnings.Add($"{classFolder}: no {ImageFiles.ExtensionList} images; class '{label}' is left out of this split.");
            }

            records.AddRange(images.Select(path => new ImageRecord(path, label, null, null, classFolder)));
        }

        if (records.Count == 0)
        {
            throw new InvalidDataException(
                $"{splitFolder} ({option}): no images. Looked for {ImageFiles.ExtensionList} files (any case) under its class subfolders " +
                $"{string.Join(", ", classFolders.Select(f => $"'{Path.GetFileName(f)}'"))}{(ignored > 0 ? $"; {Counted.Of(ignored, "other file")} ignored" : string.Empty)}.");
        }

        if (ignored > 0)
        {
            warnings.Add($"{splitFolder}: ignored {Counted.Of(ignored, "file")} other than {ImageFiles.ExtensionList} images in class folders (other formats, hidden files, files outside class folders).");
        }

        return records;
    }
}
