namespace SharpEdge.Data;

/// <summary>
/// A data set whose files are not where they were looked for. The message says where, and how to get them
/// (<c>sharpedge data fetch NAME</c> or <c>sharpedge data import NAME PATH</c>), on one line.
/// </summary>
public sealed class DataNotInstalledException(string name, string folder, string expected, string hint)
    : FileNotFoundException($"data set '{name}' is not installed: {expected} not found in {folder}; {hint}")
{
    public string DatasetName { get; } = name;
    public string Folder { get; } = folder;
}
