namespace SharpEdge.Numerics.Io;

/// <summary>
/// A tensor file (.npy, .npz, .safetensors) is missing, malformed, or does not hold what the
/// caller expects. The message is a single line of the form <c>"&lt;file&gt;: &lt;problem&gt;"</c>.
/// </summary>
public sealed class TensorFileException : Exception
{
    public TensorFileException(string fileName, string problem, Exception? innerException = null)
        : base($"{fileName}: {problem}", innerException)
    {
        FileName = fileName;
        Problem = problem;
    }

    /// <summary>The file (or archive member, e.g. <c>"out.npz[w.npy]"</c>) the problem was found in.</summary>
    public string FileName { get; }

    /// <summary>The problem without the file name.</summary>
    public string Problem { get; }
}
