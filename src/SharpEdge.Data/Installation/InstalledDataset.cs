namespace SharpEdge.Data.Installation;

/// <summary>What <c>data list</c> reports for one set: where it is read from, whether its files are there, their total size.</summary>
public sealed record InstalledDataset(string Name, string Description, string Folder, bool Installed, long Bytes, int Files, string? Problem);
