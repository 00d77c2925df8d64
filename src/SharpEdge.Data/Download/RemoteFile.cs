namespace SharpEdge.Data.Download;

/// <summary>
/// One official file: its name on disk, the URLs to try in order (mirrors), and what is known of it. Checksums
/// are only those published or checked by the established loaders (torchvision, the data sets' own pages);
/// where none is known with certainty the field is null and only the content is validated after download.
/// </summary>
public sealed record RemoteFile(string FileName, IReadOnlyList<string> Urls, string? Md5 = null, string? Sha256 = null, long? Size = null)
{
    public bool HasChecksum => Md5 is not null || Sha256 is not null;
}
