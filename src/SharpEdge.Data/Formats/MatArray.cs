namespace SharpEdge.Data.Formats;

/// <summary>MATLAB's array classes (the mxCLASS codes of the MAT-file format), numeric ones only used here.</summary>
public enum MatClass
{
    Cell = 1, Struct = 2, Object = 3, Char = 4, Sparse = 5,
    Double = 6, Single = 7, Int8 = 8, UInt8 = 9, Int16 = 10, UInt16 = 11, Int32 = 12, UInt32 = 13, Int64 = 14, UInt64 = 15,
}

/// <summary>
/// A numeric MATLAB array: its name, class, dimensions and real part, column-major (the first index varies
/// fastest). uint8 arrays stored as bytes stay bytes (SVHN's 225 MB of pixels); everything else becomes double.
/// </summary>
public sealed class MatArray
{
    internal MatArray(string name, MatClass @class, int[] dimensions, byte[]? bytes, double[]? values)
    {
        Name = name;
        Class = @class;
        Dimensions = dimensions;
        _bytes = bytes;
        _values = values;
    }

    private readonly byte[]? _bytes;
    private readonly double[]? _values;

    public string Name { get; }
    public MatClass Class { get; }
    public int[] Dimensions { get; }
    public long Count => Dimensions.Aggregate(1L, (a, b) => a * b);

    /// <summary>The elements of a uint8 array, column-major.</summary>
    public byte[] Bytes => _bytes ?? throw new InvalidDataException($"MATLAB array '{Name}' is {Class}, not uint8");

    /// <summary>The elements as double, column-major.</summary>
    public double[] ToDoubles()
    {
        if (_values is not null) return _values;
        var values = new double[_bytes!.Length];
        for (int i = 0; i < values.Length; i++) values[i] = _bytes[i];
        return values;
    }

    public override string ToString() => $"{Name}: {Class} [{string.Join("x", Dimensions)}]";
}
