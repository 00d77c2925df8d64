using System.Security.Cryptography;
using SharpEdge.Data.Download;
using SharpEdge.Data.Formats;
using SharpEdge.Data.Installation;
using SharpEdge.Data.Sources;
using SharpEdge.Tests;

namespace SharpEdge.Data.Tests;

public sealed class InstallerTests : IDisposable
{
    private readonly TempFolder _root = new();
    private readonly TempFolder _files = new();
    private readonly List<string> _log = [];

    public void Dispose()
    {
        _root.Dispose();
        _files.Dispose();
    }

    private DataInstaller Installer(Downloader? downloader = null) =>
        new(_root.Path, m => _log.Add(m)) { Downloader = downloader ?? new Downloader { RetryDelay = TimeSpan.FromMilliseconds(10) } };

    /// <summary>Only the installed sets are left in the root: no scratch or staging folders.</summary>
    private void AssertClean(params string[] expected) =>
        Assert.Equal(expected, Directory.GetFileSystemEntries(_root.Path).Select(Path.GetFileName).Where(n => n != ".downloads").Order());

    [Fact]
    public void Imports_cifar10_from_the_official_archive_layout()
    {
        var (train, _, _, _) = DataFiles.Cifar(_files.File("archive"));
        FormatWriters.TarGz(_files.File("archive"), _files.File("cifar-10-python.tar.gz"));
        var installed = Installer().Import(Datasets.Get("cifar10"), [_files.File("cifar-10-python.tar.gz")]);
        Assert.True(installed.Installed);
        Assert.Equal(6, installed.Files);
        AssertClean("cifar10");
        var set = Datasets.Load("cifar10", new DataRequest { DataFolder = _root.Path });
        Assert.Equal(DataFiles.CifarRow(train, 42), set.TrainInputs.AsSpan(42 * 3072, 3072).ToArray());
        Assert.Contains(_log, m => m.Contains("note: 150 training"));
    }

    [Fact]
    public void A_corrupted_archive_installs_nothing()
    {
        DataFiles.Cifar(_files.File("archive"));
        FormatWriters.TarGz(_files.File("archive"), _files.File("full.tar.gz"));
        var bytes = File.ReadAllBytes(_files.File("full.tar.gz"));
        File.WriteAllBytes(_files.File("cifar-10-python.tar.gz"), bytes[..(bytes.Length * 2 / 3)]);
        var error = Assert.Throws<InvalidDataException>(() => Installer().Import(Datasets.Get("cifar10"), [_files.File("cifar-10-python.tar.gz")]));
        Assert.Contains("cifar-10-python.tar.gz", error.Message);
        AssertClean();
    }

    [Fact]
    public void A_corrupted_batch_installs_nothing_and_keeps_the_old_installation()
    {
        DataFiles.Cifar(_files.File("good"));
        Installer().Import(Datasets.Get("cifar10"), [_files.File("good")]);
        DataFiles.Cifar(_files.File("bad"), binary: true);
        var batch = _files.File("bad/cifar-10-batches-bin/data_batch_3.bin");
        File.WriteAllBytes(batch, File.ReadAllBytes(batch)[..5000]);
        var error = Assert.Throws<InvalidDataException>(() => Installer().Import(Datasets.Get("cifar10"), [_files.File("bad")]));
        Assert.Contains("data_batch_3.bin", error.Message);
        AssertClean("cifar10");
        Assert.True(File.Exists(_root.File("cifar10/cifar-10-batches-py/data_batch_3")));
    }

    [Fact]
    public void Reimport_replaces_the_folder_whole()
    {
        DataFiles.Cifar(_files.File("py"));
        DataFiles.Cifar(_files.File("bin"), binary: true);
        Installer().Import(Datasets.Get("cifar10"), [_files.File("py")]);
        Installer().Import(Datasets.Get("cifar10_2cls"), [_files.File("bin")]);   // shares cifar10's folder
        Assert.False(Directory.Exists(_root.File("cifar10/cifar-10-batches-py")));
        Assert.True(File.Exists(_root.File("cifar10/cifar-10-batches-bin/test_batch.bin")));
        AssertClean("cifar10");
    }

    [Fact]
    public void Fetch_downloads_verifies_and_installs()
    {
        using var server = new TestHttpServer();
        DataFiles.Idx(_files.File("idx"), train: 50, test: 10);
        var downloads = IdxImageSource.FileStems.Select(stem =>
        {
            var content = File.ReadAllBytes(_files.File($"idx/{stem}.gz"));
            server.Serve($"fmnist/{stem}.gz", content);
            return new RemoteFile(stem + ".gz", [server.Url($"fmnist/{stem}.gz")], Md5: Convert.ToHexStringLower(MD5.HashData(content)));
        }).ToArray();
        server.Serve("fmnist/t10k-images-idx3-ubyte.gz", File.ReadAllBytes(_files.File("idx/t10k-images-idx3-ubyte.gz"))).DropAfter = 1000;
        var source = new IdxImageSource("fmnist", "test copy", "FashionMNIST", ImageNormalization.FashionMnist, downloads);
        var installed = Installer().Fetch(source);
        Assert.Equal(4, installed.Files);
        Assert.Empty(Directory.GetFiles(Installer().DownloadFolder));
        AssertClean("fmnist");
        var set = source.Load(new DataRequest { NumData = 20, DatasetSeed = 1 }, source.Location(_root.Path));
        Assert.Equal(Subsets.NumpySubset.Choose(1, 50, 20), set.TrainIndices);
    }

    [Fact]
    public void Imports_imagenet32_from_its_two_zip_files()
    {
        foreach (var (folder, name, count) in new[] { ("Imagenet32_train", "train_data_batch_1", 3), ("Imagenet32_val", "val_data", 2) })
        {
            var w = new PickleWriter(python2: false);
            w.Dict(p => { p.Str("data"); p.UInt8Array(FormatWriters.Pixels(count * 3072, count), count, 3072); },
                p => { p.Str("labels"); p.IntList(Enumerable.Repeat(7, count)); });
            Directory.CreateDirectory(_files.File($"zip/{folder}"));
            File.WriteAllBytes(_files.File($"zip/{folder}/{name}"), w.Finish());
            System.IO.Compression.ZipFile.CreateFromDirectory(_files.File($"zip/{folder}"), _files.File($"{folder}.zip"), System.IO.Compression.CompressionLevel.Fastest, includeBaseDirectory: true);
        }
        Installer().Import(Datasets.Get("imagenet32"), [_files.File("Imagenet32_train.zip"), _files.File("Imagenet32_val.zip")]);
        AssertClean("imagenet32");
        var set = Datasets.Load("imagenet32", new DataRequest { DataFolder = _root.Path });
        Assert.Equal((3, 2), (set.TrainCount, set.TestCount));
        Assert.All(set.TrainLabels, l => Assert.Equal(6, l));
        Assert.Contains(_log, m => m.Contains("1 of the 10 training batches"));
    }

    [Fact]
    public void Shipped_and_generated_sets_cannot_be_installed()
    {
        Assert.Contains("ships with SharpEdge", Assert.Throws<InvalidOperationException>(() => Installer().Fetch(Datasets.Get("fmnist-mini"))).Message);
        Assert.Contains("generated", Assert.Throws<InvalidOperationException>(() => Installer().Import(Datasets.Get("synthetic"), [_files.Path])).Message);
        var imagenet = Assert.Throws<InvalidOperationException>(() => Installer().Fetch(Datasets.Get("imagenet32")));
        Assert.Contains("data import imagenet32", imagenet.Message);
    }

    [SkippableFact]
    public void Imports_fashion_mnist_from_debians_package()
    {
        const string debian = "/usr/share/datasets/fashion-mnist";
        Skip.IfNot(Directory.Exists(debian), "Debian's dataset-fashion-mnist is not installed");
        Installer().Import(Datasets.Get("fmnist"), [debian]);
        var set = Datasets.Load("fmnist", new DataRequest { DataFolder = _root.Path, NumData = 8192, DatasetSeed = 888 });
        Assert.Equal((8192, 10_000), (set.TrainCount, set.TestCount));
        // fmnist-mini is the first 4,096 training images of the same files
        var mini = Datasets.Load("fmnist-mini");
        var first = set.TrainIndices!.Select((index, k) => (index, k)).First(p => p.index < 4096);
        Assert.Equal(mini.TrainInputs.AsSpan(first.index * 784, 784).ToArray(), set.TrainInputs.AsSpan(first.k * 784, 784).ToArray());
    }
}
