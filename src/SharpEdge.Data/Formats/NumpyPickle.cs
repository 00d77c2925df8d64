using System.Collections;
using System.Text;
using Razorvine.Pickle;
using Razorvine.Pickle.Objects;

namespace SharpEdge.Data.Formats;

/// <summary>
/// Reads Python pickles that hold numpy arrays (CIFAR-10's python batches, ImageNet-32's batches) with
/// Razorvine.Pickle, which knows Python's types but not numpy's: the constructors numpy's <c>__reduce__</c>
/// names (<c>_reconstruct</c>, <c>dtype</c>, protocol 5's <c>_frombuffer</c>, <c>scalar</c>; numpy 1 and 2 module
/// names) are registered here. Dictionary keys may be str or bytes (Python 2 pickles read with
/// <c>encoding="bytes"</c>, eoss_spec §4.2 caveat); <see cref="Get"/> accepts both.
/// </summary>
public static class NumpyPickle
{
    private static readonly object Gate = new();
    private static bool _registered;

    public static object Load(string path)
    {
        Register();
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            using var unpickler = new Unpickler();
            return unpickler.load(file);
        }
        // Razorvine reports a cut-short stream as a plain IOException
        catch (Exception e) when (e is PickleException or InvalidCastException or EndOfStreamException or IndexOutOfRangeException
                                      or ArgumentException or OverflowException or System.Reflection.TargetInvocationException
                                  || e.GetType() == typeof(IOException))
        {
            throw new InvalidDataException($"{path}: not a readable pickle ({Innermost(e).Message})", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    /// <summary>The value under <paramref name="key"/> of an unpickled dict, whether the key was pickled as str or bytes.</summary>
    public static object Get(object pickled, string key, string path)
    {
        if (pickled is not Hashtable dict) throw new InvalidDataException($"{path}: expected a pickled dict, found {pickled?.GetType().Name ?? "None"}");
        if (dict.ContainsKey(key)) return dict[key] ?? throw new InvalidDataException($"{path}: '{key}' is None");
        var bytes = Encoding.ASCII.GetBytes(key);
        foreach (DictionaryEntry entry in dict)
            if (entry.Key is byte[] k && k.AsSpan().SequenceEqual(bytes))
                return entry.Value ?? throw new InvalidDataException($"{path}: '{key}' is None");
        var keys = string.Join(", ", dict.Keys.Cast<object>().Select(k => k is byte[] b ? $"b'{Encoding.ASCII.GetString(b)}'" : $"'{k}'"));
        throw new InvalidDataException($"{path}: no '{key}' entry (keys: {keys})");
    }

    /// <summary>Class labels from a pickled list of ints or a numpy integer array.</summary>
    public static int[] ToLabels(object value, string path) => value switch
    {
        NumpyArray array => array.ToInt32(),
        ArrayList list => list.Cast<object>().Select(v => v switch
        {
            int i => i,
            long l => checked((int)l),
            NumpyScalar s => checked((int)s.Value),
            _ => throw new InvalidDataException($"{path}: label of type {v?.GetType().Name ?? "None"} is not an integer"),
        }).ToArray(),
        _ => throw new InvalidDataException($"{path}: labels of type {value.GetType().Name} are neither a list nor an array"),
    };

    private static void Register()
    {
        lock (Gate)
        {
            if (_registered) return;
            foreach (var module in new[] { "numpy.core.multiarray", "numpy._core.multiarray" })
            {
                Unpickler.registerConstructor(module, "_reconstruct", new Reconstruct());
                Unpickler.registerConstructor(module, "scalar", new Scalar());
            }
            foreach (var module in new[] { "numpy.core.numeric", "numpy._core.numeric" })
                Unpickler.registerConstructor(module, "_frombuffer", new FromBuffer());
            Unpickler.registerConstructor("numpy", "dtype", new Dtype());
            _registered = true;
        }
    }

    /// <summary><c>_reconstruct(ndarray, (0,), b'b')</c>: an empty array that BUILD then fills.</summary>
    private sealed class Reconstruct : IObjectConstructor
    {
        public object construct(object[] args) => new NumpyArray();
    }

    /// <summary><c>dtype(descr, align, copy)</c>.</summary>
    private sealed class Dtype : IObjectConstructor
    {
        public object construct(object[] args) =>
            args.Length > 0 && args[0] is string descr ? new NumpyDtype(descr) : throw new PickleException("numpy.dtype needs a type string");
    }

    /// <summary>Protocol 5: <c>_frombuffer(buffer, dtype, shape, order)</c>.</summary>
    private sealed class FromBuffer : IObjectConstructor
    {
        public object construct(object[] args)
        {
            if (args.Length != 4 || args[0] is not byte[] buffer || args[1] is not NumpyDtype dtype)
                throw new PickleException("numpy _frombuffer arguments are not (buffer, dtype, shape, order)");
            return NumpyArray.FromBuffer(buffer, dtype, NumpyArray.ToShape(args[2]), args[3] as string == "F");
        }
    }

    /// <summary><c>scalar(dtype, bytes)</c>: a numpy integer scalar, e.g. an np.int64 inside a list.</summary>
    private sealed class Scalar : IObjectConstructor
    {
        public object construct(object[] args)
        {
            if (args.Length != 2 || args[0] is not NumpyDtype dtype) throw new PickleException("numpy scalar arguments are not (dtype, bytes)");
            var data = args[1] switch
            {
                byte[] b => b,
                string s => Encoding.Latin1.GetBytes(s),
                _ => throw new PickleException("numpy scalar data is not bytes"),
            };
            return new NumpyScalar(NumpyArray.FromBuffer(data, dtype, [1], false).ToInt32()[0]);
        }
    }
    /// <summary>
    /// A pickled image batch in the CIFAR/downsampled-ImageNet layout: a dict with <c>data</c> uint8 (N, imageSize)
    /// and <c>labels</c> (N). Shapes are checked here; label ranges by the caller, which knows its classes.
    /// </summary>
    public static (byte[] Pixels, int[] Labels) ReadImageBatch(string path, int imageSize)
    {
        var batch = Load(path);
        var data = Get(batch, "data", path) as NumpyArray
                   ?? throw new InvalidDataException($"{path}: 'data' is not a numpy array");
        if (data.Shape.Length != 2 || data.Shape[1] != imageSize)
            throw new InvalidDataException($"{path}: 'data' has shape ({string.Join(", ", data.Shape)}), expected (N, {imageSize})");
        var labels = ToLabels(Get(batch, "labels", path), path);
        if (labels.Length != data.Shape[0]) throw new InvalidDataException($"{path}: {data.Shape[0]} images but {labels.Length} labels");
        return (data.ToBytes(), labels);
    }
}

/// <summary>A numpy integer scalar met inside a pickled list.</summary>
public sealed record NumpyScalar(long Value);
