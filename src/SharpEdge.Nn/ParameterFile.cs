using System.Numerics;
using System.Runtime.InteropServices;
using SharpEdge.Numerics.Io;

namespace SharpEdge.Nn;

/// <summary>A model's parameter vector as a safetensors file with PyTorch names and layouts (a state_dict).</summary>
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
        for (int i = 0; i < theta.Length; i++)
            if (!T.IsFinite(theta[i]))
            {
                var tensor = layout.Tensors.Last(t => t.Offset <= i);
                throw new InvalidDataException($"{path}: tensor '{tensor.Name}' holds a non-finite value ({theta[i]}) at index {i - tensor.Offset}");
            }
    }

    /// <summary>Writes θ as one tensor per entry of <paramref name="layout"/>, atomically.</summary>
    public static void Write<T>(string path, ParameterLayout layout, ReadOnlySpan<T> theta, IReadOnlyDictionary<string, string>? metadata = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (theta.Length != layout.Count) throw new ArgumentException($"θ has {theta.Length} values, the layout {layout.Count}");
        var entries = new List<TensorEntry>();
        foreach (var t in layout.Tensors)
        {
            var slice = theta.Slice(t.Offset, t.Count);
            entries.Add(typeof(T) == typeof(double)
                ? new TensorEntry(t.Name, MemoryMarshal.Cast<T, double>(slice).ToArray(), t.Shape)
                : new TensorEntry(t.Name, MemoryMarshal.Cast<T, float>(slice).ToArray(), t.Shape));
        }
        SafeTensors.Write(path, entries, metadata);
    }
}
