using SharpEdge.Data.Formats;
using SharpEdge.Data.Sources;
using SharpEdge.Tests;

namespace SharpEdge.Data.Tests;

public class FormatTests
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public void Cifar_pickle_reads_python2_str_and_python3_bytes_keys(bool python2, bool bytesKeys)
    {
        using var temp = new TempFolder();
        var pixels = FormatWriters.Pixels(4 * 3072, 1);
        File.WriteAllBytes(temp.File("data_batch_1"), FormatWriters.CifarPickle(pixels, [3, 0, 9, 1], python2, bytesKeys));
        var batch = CifarBatch.ReadPickle(temp.File("data_batch_1"));
        Assert.Equal(new[] { 3, 0, 9, 1 }, batch.Labels);
        Assert.Equal(pixels, batch.Pixels);
    }

    [Fact]
    public void Cifar_binary_reads_records_and_rejects_a_truncated_file()
    {
        using var temp = new TempFolder();
        var pixels = FormatWriters.Pixels(3 * 3072, 2);
        var bytes = FormatWriters.CifarBinary(pixels, [7, 2, 5]);
        File.WriteAllBytes(temp.File("data_batch_1.bin"), bytes);
        var batch = CifarBatch.ReadBinary(temp.File("data_batch_1.bin"));
        Assert.Equal(new[] { 7, 2, 5 }, batch.Labels);
        Assert.Equal(pixels, batch.Pixels);
        File.WriteAllBytes(temp.File("short.bin"), bytes[..^100]);
        var error = Assert.Throws<InvalidDataException>(() => CifarBatch.ReadBinary(temp.File("short.bin")));
        Assert.Contains("short.bin", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Corrupted_pickle_is_one_clear_error_naming_the_file()
    {
        using var temp = new TempFolder();
        var bytes = FormatWriters.CifarPickle(FormatWriters.Pixels(2 * 3072, 3), [1, 2]);
        File.WriteAllBytes(temp.File("data_batch_1"), bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<InvalidDataException>(() => CifarBatch.ReadPickle(temp.File("data_batch_1")));
        Assert.StartsWith(temp.File("data_batch_1"), error.Message);
    }

    [SkippableFact]
    public void Pickles_written_by_numpy_protocols_2_and_5_read_the_same()
    {
        Skip.IfNot(PythonNumpy.Available, "python3 with numpy is not installed");
        using var temp = new TempFolder();
        PythonNumpy.Run($$"""
            import pickle, numpy as np
            data = (np.arange(2 * 3072) % 251).astype(np.uint8).reshape(2, 3072)
            for protocol in (2, 5):
                with open(r'{{temp.Path}}/batch_p%d' % protocol, 'wb') as f:
                    pickle.dump({'data': data, 'labels': [np.int64(4), 8]}, f, protocol=protocol)
            with open(r'{{temp.Path}}/imagenet_p4', 'wb') as f:
                pickle.dump({b'data': data, b'labels': np.array([1, 1000])}, f, protocol=4)
            """);
        var expected = Enumerable.Range(0, 2 * 3072).Select(i => (byte)(i % 251)).ToArray();
        foreach (var protocol in new[] { 2, 5 })
        {
            var batch = CifarBatch.ReadPickle(temp.File($"batch_p{protocol}"));
            Assert.Equal(new[] { 4, 8 }, batch.Labels);
            Assert.Equal(expected, batch.Pixels);
        }
        var imagenet = ImageNet32Batch.Read(temp.File("imagenet_p4"));
        Assert.Equal(new[] { 1, 1000 }, imagenet.Labels);
        Assert.Equal(expected, imagenet.Pixels);
    }

    [Theory]
    [InlineData(true, true, false)]
    [InlineData(false, false, false)]
    [InlineData(true, false, true)]
    public void Svhn_mat_file_gives_chw_images_and_maps_label_10_to_0(bool compress, bool compactLabels, bool bigEndian)
    {
        using var temp = new TempFolder();
        const int n = 3;
        // X[h, w, c, i] column-major: value encodes its own coordinates
        var x = new byte[32 * 32 * 3 * n];
        for (int i = 0; i < n; i++)
        for (int c = 0; c < 3; c++)
        for (int w = 0; w < 32; w++)
        for (int h = 0; h < 32; h++)
            x[h + 32 * (w + 32 * (c + 3 * i))] = (byte)((h * 7 + w * 3 + c * 11 + i * 13) % 256);
        File.WriteAllBytes(temp.File("train_32x32.mat"), FormatWriters.Mat(x, [32, 32, 3, n], [10, 1, 7], compress, compactLabels, bigEndian));
        var images = SvhnSource.Read(temp.File("train_32x32.mat"));
        Assert.Equal(new[] { 0, 1, 7 }, images.Labels);
        var chw = new float[3072];
        ImageNormalization.Svhn.FromColumnMajorPlanes(images.Image(2), chw, 32, 32);
        for (int c = 0; c < 3; c++)
        for (int h = 0; h < 32; h++)
        for (int w = 0; w < 32; w++)
        {
            byte value = (byte)((h * 7 + w * 3 + c * 11 + 2 * 13) % 256);
            Assert.Equal((value / 255f - ImageNormalization.Svhn.Mean[c]) / ImageNormalization.Svhn.Std[c], chw[c * 1024 + h * 32 + w]);
        }
    }

    [Fact]
    public void Truncated_compressed_mat_file_is_a_clear_error()
    {
        using var temp = new TempFolder();
        var bytes = FormatWriters.Mat(FormatWriters.Pixels(3072 * 2, 4), [32, 32, 3, 2], [1, 2], compress: true, compactLabels: true);
        File.WriteAllBytes(temp.File("train_32x32.mat"), bytes[..(bytes.Length - 200)]);
        var error = Assert.Throws<InvalidDataException>(() => SvhnSource.Read(temp.File("train_32x32.mat")));
        Assert.Contains("train_32x32.mat", error.Message);
    }

    [Fact]
    public void Idx_reads_raw_and_gzip_and_rejects_bad_files()
    {
        using var temp = new TempFolder();
        var pixels = FormatWriters.Pixels(2 * 784, 5);
        Idx.Write(temp.File("images"), pixels, [2, 28, 28]);
        Idx.Write(temp.File("images.gz"), pixels, [2, 28, 28]);
        Assert.Equal(pixels, Idx.Read(temp.File("images")).Data);
        var (data, shape) = Idx.Read(temp.File("images.gz"));
        Assert.Equal(pixels, data);
        Assert.Equal(new[] { 2, 28, 28 }, shape);
        var gz = File.ReadAllBytes(temp.File("images.gz"));
        File.WriteAllBytes(temp.File("cut.gz"), gz[..(gz.Length / 2)]);
        Assert.Contains("cut.gz", Assert.Throws<InvalidDataException>(() => Idx.Read(temp.File("cut.gz"))).Message);
        File.WriteAllBytes(temp.File("junk"), [1, 2, 3, 4, 5]);
        Assert.Contains("bad magic", Assert.Throws<InvalidDataException>(() => Idx.Read(temp.File("junk"))).Message);
    }

    [Fact]
    public void Image_folder_orders_classes_and_files_like_torchvision_and_decodes_grey_as_rgb()
    {
        using var temp = new TempFolder();
        foreach (var (cls, file, isGrey) in new[] { ("truck", "b.png", false), ("airplane", "z.png", true), ("airplane", "a.png", false), ("truck", "notes.txt", false) })
        {
            Directory.CreateDirectory(temp.File(cls));
            var bytes = file.EndsWith(".txt") ? "x"u8.ToArray() : FormatWriters.Png(FormatWriters.Pixels(isGrey ? 16 : 48, cls.Length + file[0]), 4, 4, isGrey ? 1 : 3);
            File.WriteAllBytes(Path.Combine(temp.File(cls), file), bytes);
        }
        var folder = ImageFolder.Scan(temp.Path);
        Assert.Equal(new[] { "airplane", "truck" }, folder.Classes);
        Assert.Equal(new[] { ("a.png", 0), ("z.png", 0), ("b.png", 1) }, folder.Samples.Select(s => (Path.GetFileName(s.Path), s.Label)));
        var decoded = new float[3 * 48];
        folder.Decode([0, 1, 2], 4, 4, ImageNormalization.Cinic10, decoded);
        // the grey image (index 1): three equal planes up to the per-channel normalisation
        var grey = FormatWriters.Pixels(16, "airplane".Length + 'z');
        for (int p = 0; p < 16; p++)
        for (int c = 0; c < 3; c++)
            Assert.Equal(ImageNormalization.Cinic10.Apply(grey[p], c), decoded[48 + c * 16 + p]);
        var rgb = FormatWriters.Pixels(48, "airplane".Length + 'a');
        Assert.Equal(ImageNormalization.Cinic10.Apply(rgb[5 * 3 + 2], 2), decoded[2 * 16 + 5]);
    }
}
