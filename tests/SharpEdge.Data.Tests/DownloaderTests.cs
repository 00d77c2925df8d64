using System.Security.Cryptography;
using SharpEdge.Data.Download;
using SharpEdge.Tests;

namespace SharpEdge.Data.Tests;

public sealed class DownloaderTests : IDisposable
{
    private readonly TestHttpServer _server = new();
    private readonly TempFolder _temp = new();
    private readonly List<DownloadProgress> _progress = [];
    private readonly List<string> _log = [];

    public void Dispose()
    {
        _server.Dispose();
        _temp.Dispose();
    }

    private Downloader Downloader() => new()
    {
        RetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetries = 3,
        InactivityTimeout = TimeSpan.FromSeconds(5),
        Progress = p => { lock (_progress) _progress.Add(p); },
        Log = m => { lock (_log) _log.Add(m); },
    };

    private static (byte[] Content, string Md5) Content(int size, int seed)
    {
        var content = FormatWriters.Pixels(size, seed);
        return (content, Convert.ToHexStringLower(MD5.HashData(content)));
    }

    [Fact]
    public void Downloads_verifies_and_reports_progress()
    {
        var (content, md5) = Content(300_000, 1);
        _server.Serve("a.bin", content);
        var path = Downloader().Download(new RemoteFile("a.bin", [_server.Url("a.bin")], Md5: md5, Size: content.Length), _temp.Path);
        Assert.Equal(content, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".part"));
        Assert.Equal(content.Length, _progress[^1].Bytes);
        Assert.Equal(content.Length, _progress[^1].TotalBytes);
    }

    [Fact]
    public void Resumes_a_transfer_that_was_cut_off()
    {
        var (content, md5) = Content(500_000, 2);
        _server.Serve("b.bin", content).DropAfter = 200_000;
        var path = Downloader().Download(new RemoteFile("b.bin", [_server.Url("b.bin")], Md5: md5), _temp.Path);
        Assert.Equal(content, File.ReadAllBytes(path));
        var requests = _server.Requests.ToArray();
        Assert.Equal("b.bin -", requests[0]);
        // the second request continues where the first stopped
        Assert.Equal("b.bin bytes=200000-", requests[1]);
        Assert.Contains(_progress, p => p.Resumed);
    }

    [Fact]
    public void Checksum_mismatch_is_a_clear_error_and_leaves_nothing()
    {
        var (content, _) = Content(10_000, 3);
        _server.Serve("c.bin", content);
        var error = Assert.Throws<ChecksumMismatchException>(() =>
            Downloader().Download(new RemoteFile("c.bin", [_server.Url("c.bin")], Md5: new string('0', 32)), _temp.Path));
        Assert.Contains("c.bin", error.Message);
        Assert.Contains("MD5", error.Message);
        Assert.Empty(Directory.GetFiles(_temp.Path));
    }

    [Fact]
    public void Retries_after_service_unavailable()
    {
        var (content, md5) = Content(5_000, 4);
        _server.Serve("d.bin", content).Unavailable = 2;
        var path = Downloader().Download(new RemoteFile("d.bin", [_server.Url("d.bin")], Md5: md5), _temp.Path);
        Assert.Equal(content, File.ReadAllBytes(path));
        Assert.Equal(3, _server.Requests.Count);
        Assert.Contains(_log, m => m.Contains("503"));
    }

    [Fact]
    public void Not_found_moves_to_the_next_mirror_without_retrying()
    {
        var (content, md5) = Content(2_000, 5);
        _server.Serve("mirror/e.bin", content);
        var path = Downloader().Download(new RemoteFile("e.bin", [_server.Url("gone/e.bin"), _server.Url("mirror/e.bin")], Md5: md5), _temp.Path);
        Assert.Equal(content, File.ReadAllBytes(path));
        Assert.Equal(new[] { "gone/e.bin -", "mirror/e.bin -" }, _server.Requests.ToArray());
    }

    [Fact]
    public void Gives_up_with_the_servers_answer_when_retries_run_out()
    {
        _server.Serve("f.bin", [1, 2, 3]).Unavailable = 100;
        var error = Assert.Throws<HttpStatusException>(() => Downloader().Download(new RemoteFile("f.bin", [_server.Url("f.bin")]), _temp.Path));
        Assert.Contains("503", error.Message);
        Assert.Equal(4, _server.Requests.Count);
        Assert.False(File.Exists(_temp.File("f.bin")));
    }

    // No network (here: nothing listens on the port) is an IOException naming the file and the URL, which the CLI
    // reports as one `sharpedge: error:` line, not an internal error.
    [Fact]
    public void Unreachable_host_is_an_io_error_naming_the_file_and_url()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var url = $"http://127.0.0.1:{port}/g.bin";
        var error = Assert.Throws<IOException>(() => Downloader().Download(new RemoteFile("g.bin", [url]), _temp.Path));
        Assert.StartsWith($"g.bin: download failed from {url}: ", error.Message);
        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.False(File.Exists(_temp.File("g.bin")));
    }

    [Fact]
    public void Truncated_archive_is_reported_by_name()
    {
        using var source = new TempFolder();
        File.WriteAllBytes(source.File("x.bin"), FormatWriters.Pixels(200_000, 6));
        FormatWriters.TarGz(source.Path, _temp.File("a.tar.gz"));
        var bytes = File.ReadAllBytes(_temp.File("a.tar.gz"));
        File.WriteAllBytes(_temp.File("cut.tar.gz"), bytes[..(bytes.Length / 2)]);
        ArchiveExtractor.Extract(_temp.File("a.tar.gz"), _temp.File("ok"));
        Assert.Equal(File.ReadAllBytes(source.File("x.bin")), File.ReadAllBytes(_temp.File("ok/x.bin")));
        var error = Assert.Throws<InvalidDataException>(() => ArchiveExtractor.Extract(_temp.File("cut.tar.gz"), _temp.File("bad")));
        Assert.Contains("cut.tar.gz", error.Message);
    }
}
