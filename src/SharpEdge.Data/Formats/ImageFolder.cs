using StbImageSharp;

namespace SharpEdge.Data.Formats;

/// <summary>
/// torchvision's <c>ImageFolder</c> layout, as CINIC-10 ships: one subfolder per class, classes numbered in
/// sorted name order, images in sorted path order within a class (ordinal comparison, as Python sorts str).
/// The order matters: the original's CINIC-10 subset is a prefix of it (eoss_spec §4.2).
/// </summary>
public sealed class ImageFolder
{
    private static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase)
        { ".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp" };

    private ImageFolder(string root, string[] classes, (string Path, int Label)[] samples)
    {
        Root = root;
        Classes = classes;
        Samples = samples;
    }

    public string Root { get; }
    public string[] Classes { get; }
    public (string Path, int Label)[] Samples { get; }
    public int Count => Samples.Length;

    public static ImageFolder Scan(string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{root}: folder not found");
        var classes = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0) throw new InvalidDataException($"{root}: no class folders");
        var samples = new List<(string, int)>();
        for (int label = 0; label < classes.Length; label++)
        {
            var classFolder = Path.Combine(root, classes[label]);
            // os.walk, sorted by folder, then the file names sorted within each folder
            var folders = Directory.GetDirectories(classFolder, "*", SearchOption.AllDirectories).Append(classFolder).Order(StringComparer.Ordinal);
            foreach (var folder in folders)
            foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
                if (Extensions.Contains(Path.GetExtension(file)))
                    samples.Add((file, label));
        }
        return new ImageFolder(root, classes, samples.ToArray());
    }

    /// <summary>
    /// Decodes the images at <paramref name="indices"/> to RGB (grey images are replicated over the three
    /// channels, as PIL's <c>convert("RGB")</c> does) and writes them normalised and channel-major into
    /// <paramref name="destination"/> from <paramref name="offset"/> on, [indices.Length, 3, height, width].
    /// </summary>
    public void Decode(ReadOnlySpan<int> indices, int height, int width, ImageNormalization normalization, float[] destination, int offset = 0)
    {
        int size = 3 * height * width;
        var list = indices.ToArray();
        try
        {
            Parallel.For(0, list.Length, k => DecodeOne(list, k, height, width, size, normalization, destination, offset));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // one clear message, not the wrapper
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    private void DecodeOne(int[] list, int k, int height, int width, int size, ImageNormalization normalization, float[] destination, int offset)
    {
        var path = Samples[list[k]].Path;
        ImageResult image;
        try
        {
            using var file = File.OpenRead(path);
            image = ImageResult.FromStream(file, ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is not IOException)
        {
            throw new InvalidDataException($"{path}: not a decodable image ({e.Message})", e);
        }
        if (image.Width != width || image.Height != height)
            throw new InvalidDataException($"{path}: image is {image.Width}x{image.Height}, expected {width}x{height}");
        normalization.FromInterleaved(image.Data, destination.AsSpan(offset + k * size, size));
    }
}
