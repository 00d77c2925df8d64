namespace SharpEdge.Data.Download;

/// <summary>Progress of one download: bytes on disk so far (including a resumed part) and the total when the server says it.</summary>
public readonly record struct DownloadProgress(string FileName, long Bytes, long? TotalBytes, bool Resumed)
{
    public double? Fraction => TotalBytes is > 0 ? (double)Bytes / TotalBytes.Value : null;
}
