using System.Numerics.Tensors;
using SharpEdge.Numerics;

namespace SharpEdge.Curvature;

/// <summary>
/// Classical Gram–Schmidt projection of a vector against an orthonormal basis, w ← w − Σⱼ (qⱼᵀw) qⱼ. Run
/// twice it is as accurate as modified Gram–Schmidt ("twice is enough", Giraud et al. 2005) while reading
/// the basis in one sweep per half, which lets long vectors be split across threads by index range.
/// </summary>
internal sealed class GramSchmidt
{
    // Index ranges this long keep a thread's slice of w in cache while it streams the basis.
    private const int Chunk = 1 << 14;

    private double[] partials = [];
    private double[] coefficients = [];

    /// <summary>One classical pass; returns the coefficients qⱼᵀw (valid until the next call).</summary>
    public ReadOnlySpan<double> ProjectOut(IReadOnlyList<double[]> basis, double[] w)
    {
        int m = basis.Count, n = w.Length;
        if (coefficients.Length < m) coefficients = new double[Math.Max(m, 2 * coefficients.Length)];
        var c = coefficients.AsSpan(0, m);
        int chunks = (n + Chunk - 1) / Chunk;
        int threads = Math.Min(Parallelism.Threads, chunks);
        if (m == 0) return c;
        // Chunk by chunk even on one thread: a slice of w stays in cache while the basis streams past, so w is
        // read once per half instead of once per basis vector.
        if (partials.Length < chunks * m) partials = new double[Math.Max(chunks * m, 2 * partials.Length)];
        var local = partials;
        var shared = coefficients;
        void Dots(int chunk)
        {
            int start = chunk * Chunk, length = Math.Min(Chunk, n - start);
            var slice = w.AsSpan(start, length);
            for (int j = 0; j < m; j++) local[chunk * m + j] = TensorPrimitives.Dot(basis[j].AsSpan(start, length), slice);
        }
        void Updates(int chunk)
        {
            int start = chunk * Chunk, length = Math.Min(Chunk, n - start);
            var slice = w.AsSpan(start, length);
            for (int j = 0; j < m; j++) TensorPrimitives.MultiplyAdd(basis[j].AsSpan(start, length), -shared[j], slice, slice);
        }
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        if (threads <= 1) for (int chunk = 0; chunk < chunks; chunk++) Dots(chunk);
        else Parallel.For(0, chunks, options, Dots);
        c.Clear();
        for (int chunk = 0; chunk < chunks; chunk++)
            TensorPrimitives.Add(c, partials.AsSpan(chunk * m, m), c);
        if (threads <= 1) for (int chunk = 0; chunk < chunks; chunk++) Updates(chunk);
        else Parallel.For(0, chunks, options, Updates);
        return c;
    }
}
