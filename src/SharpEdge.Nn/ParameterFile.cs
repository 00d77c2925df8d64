using System.Numerics;
using System.Runtime.InteropServices;
using SharpEdge.Numerics.Io;

namespace SharpEdge.Nn;

/// <summary>
/// A model's parameter vector as a safetensors file with PyTorch names and layouts (a state_dict). Models with
/// BatchNorm also carry their buffers (<c>running_mean</c>, <c>running_var</c> in the parameters' type,
/// <c>num_batches_tracked</c> as int64), as <c>torch.save(net.state_dict())</c> converted to safetensors has them.
/// </summary>
public static class ParameterFile
{
    /// <summary>Reads every tensor of <paramref name="layout"/> into <paramref name="theta"/>; missing, extra or misshapen tensors are errors naming the tensor.</summary>
    public static void Read<T>(string path, ParameterLayout layout, Span<T> theta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (theta.Length != layout.Count) throw new ArgumentException($"θ has {theta.Length} values, the layout {layout.Count}");
        var expected = layout.Tensors.Select(t => (t.Name, t.Shape)).ToList();
        if (typeof(T) == typeof(double)) SafeTensors.ReadInto(path, expected, MemoryMarshal.Cast<T, double>(theta));
        else if (typeof(T) == typeof(float)) SafeTensors.ReadInto(path, expected, MemoryMarshal.Cast<T, float>(theta));
        else throw new NotSupportedException($"parameters of type {typeof(T).Name}");
        CheckFinite(path, layout, theta);
    }

    /// <summary>
    /// Reads θ and, for a network with buffers, its running statistics into <see cref="Network{T}.Buffers"/>. The
    /// buffers may be absent as a whole (a file of <c>named_parameters()</c> only: the buffers keep their values)
    /// unless <paramref name="requireBuffers"/> (evaluation-mode BatchNorm needs them); any other missing, extra or
    /// misshapen tensor is an error naming it.
    /// </summary>
    /// <returns>whether the file held the buffers.</returns>
    public static bool Read<T>(string path, Network<T> network, Span<T> theta, bool requireBuffers = false) where T : unmanaged, IFloatingPointIeee754<T> =>
        Read(path, network, theta, network.Buffers, requireBuffers);

    /// <summary>As <see cref="Read{T}(string, Network{T}, Span{T}, bool)"/>, with the buffers going to <paramref name="buffers"/> (laid out as <see cref="Network{T}.BufferLayout"/>).</summary>
    public static bool Read<T>(string path, Network<T> network, Span<T> theta, Span<T> buffers, bool requireBuffers) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (network.BufferLayout.Count == 0)
        {
            Read(path, network.Layout, theta);
            return false;
        }
        if (theta.Length != network.ParameterCount) throw new ArgumentException($"θ has {theta.Length} values, the network {network.ParameterCount}");
        var (tensors, _) = SafeTensors.Read(path);
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var t in network.Layout.Tensors) Copy(path, byName, t, theta);
        bool hasBuffers = network.BufferLayout.Tensors.Any(t => byName.ContainsKey(t.Name));
        if (hasBuffers || requireBuffers)
        {
            if (buffers.Length != network.BufferLayout.Count) throw new ArgumentException($"{buffers.Length} buffer values, the network has {network.BufferLayout.Count}");
            var values = new T[buffers.Length];
            foreach (var t in network.BufferLayout.Tensors) Copy(path, byName, t, values);
            CheckFinite(path, network.BufferLayout, values);
            values.CopyTo(buffers);
        }
        var known = network.Layout.Tensors.Concat(network.BufferLayout.Tensors).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var extra = tensors.FirstOrDefault(t => !known.Contains(t.Name));
        if (extra is not null) throw new TensorFileException(path, $"unexpected tensor '{extra.Name}' {"[" + string.Join(",", extra.Shape) + "]"}");
        CheckFinite(path, network.Layout, theta);
        return hasBuffers;
    }

    private static void Copy<T>(string path, Dictionary<string, TensorEntry> byName, ParameterTensor tensor, Span<T> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!byName.TryGetValue(tensor.Name, out var entry))
            throw new TensorFileException(path, $"missing tensor '{tensor.Name}' {tensor.ShapeText}");
        if (!entry.Shape.AsSpan().SequenceEqual(tensor.Shape))
            throw new TensorFileException(path, $"tensor '{tensor.Name}' has shape {"[" + string.Join(",", entry.Shape) + "]"}, expected {tensor.ShapeText}");
        var target = destination.Slice(tensor.Offset, tensor.Count);
        switch (entry.Data)
        {
            case float[] f: for (int i = 0; i < f.Length; i++) target[i] = T.CreateTruncating(f[i]); break;
            case double[] d: for (int i = 0; i < d.Length; i++) target[i] = T.CreateTruncating(d[i]); break;
            case long[] l: for (int i = 0; i < l.Length; i++) target[i] = T.CreateTruncating(l[i]); break;
            case int[] n: for (int i = 0; i < n.Length; i++) target[i] = T.CreateTruncating(n[i]); break;
            default: throw new TensorFileException(path, $"tensor '{tensor.Name}' has dtype {entry.Dtype}, expected a number type");
        }
    }

    private static void CheckFinite<T>(string path, ParameterLayout layout, ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
            if (!T.IsFinite(values[i]))
            {
                var tensor = layout.Tensors.Last(t => t.Offset <= i);
                throw new InvalidDataException($"{path}: tensor '{tensor.Name}' holds a non-finite value ({values[i]}) at index {i - tensor.Offset}");
            }
    }

    /// <summary>Writes θ as one tensor per entry of <paramref name="layout"/>, atomically.</summary>
    public static void Write<T>(string path, ParameterLayout layout, ReadOnlySpan<T> theta, IReadOnlyDictionary<string, string>? metadata = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SafeTensors.Write(path, Entries(layout, theta), metadata);

    /// <summary>Writes θ and the network's buffers (a full state_dict), atomically.</summary>
    public static void Write<T>(string path, Network<T> network, ReadOnlySpan<T> theta, IReadOnlyDictionary<string, string>? metadata = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var entries = Entries(network.Layout, theta);
        foreach (var t in network.BufferLayout.Tensors)
        {
            var slice = network.Buffers.AsSpan(t.Offset, t.Count);
            if (t.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            {
                var counts = new long[t.Count];
                for (int i = 0; i < counts.Length; i++) counts[i] = long.CreateTruncating(slice[i]);
                entries.Add(new TensorEntry(t.Name, counts, t.Shape));
            }
            else entries.AddRange(Entries(t, slice));
        }
        SafeTensors.Write(path, entries, metadata);
    }

    private static List<TensorEntry> Entries<T>(ParameterLayout layout, ReadOnlySpan<T> theta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (theta.Length != layout.Count) throw new ArgumentException($"θ has {theta.Length} values, the layout {layout.Count}");
        var entries = new List<TensorEntry>();
        foreach (var t in layout.Tensors) entries.AddRange(Entries(t, theta.Slice(t.Offset, t.Count)));
        return entries;
    }

    private static TensorEntry[] Entries<T>(ParameterTensor t, ReadOnlySpan<T> slice) where T : unmanaged, IFloatingPointIeee754<T> =>
        [typeof(T) == typeof(double)
            ? new TensorEntry(t.Name, MemoryMarshal.Cast<T, double>(slice).ToArray(), t.Shape)
            : new TensorEntry(t.Name, MemoryMarshal.Cast<T, float>(slice).ToArray(), t.Shape)];
}
