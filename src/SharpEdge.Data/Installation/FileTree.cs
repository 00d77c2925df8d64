namespace SharpEdge.Data.Installation;

/// <summary>Moves (from scratch) or copies (from the user's files) a whole folder.</summary>
internal static class FileTree
{
    public static void Place(FileCandidates candidates, string source, string destination)
    {
        if (candidates.Owned)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            Directory.Move(source, destination);
            return;
        }
        foreach (var folder in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories).Prepend(source))
        {
            var targetFolder = Path.Combine(destination, Path.GetRelativePath(source, folder));
            Directory.CreateDirectory(targetFolder);
            foreach (var file in Directory.EnumerateFiles(folder))
                File.Copy(file, Path.Combine(targetFolder, Path.GetFileName(file)), overwrite: true);
        }
    }
}
