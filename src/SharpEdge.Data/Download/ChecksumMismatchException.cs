namespace SharpEdge.Data.Download;

/// <summary>A downloaded file whose digest is not the published one; the file has already been removed.</summary>
public sealed class ChecksumMismatchException(string fileName, string url, string algorithm, string actual, string expected)
    : IOException($"{fileName} from {url}: {algorithm} is {actual}, expected {expected}; the download was removed (try again, or use another mirror)")
{
    public string FileName { get; } = fileName;
}
