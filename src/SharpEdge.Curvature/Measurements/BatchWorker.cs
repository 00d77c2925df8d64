using System.Numerics;
using SharpEdge.Nn;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// What one thread needs to evaluate minibatch quantities: a batch buffer of b samples, an
/// <see cref="Objective{T}"/> over it (its own tape, so workers run the shared network concurrently) and
/// parameter-sized scratch vectors, all allocated once and reused for every sample the worker evaluates.
/// </summary>
public sealed class BatchWorker<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Samples<T> source;
    private T[]? gradient, direction, image;
    private HessianOperator<T>? hessian;

    internal BatchWorker(Objective<T> full, int batchSize)
    {
        source = full.Data;
        Batch = full.Data.CreateBuffer(batchSize);
        // one chunk: the whole batch is one forward pass, and small MLP batches take the Gram-matrix path
        Objective = new Objective<T>(full.Network, full.Loss, Batch, chunkSize: batchSize, cacheBudgetBytes: full.CacheBudgetBytes);
    }

    /// <summary>The samples of the batch last <see cref="Load"/>ed.</summary>
    public Samples<T> Batch { get; }

    /// <summary>L_B and its derivatives over <see cref="Batch"/>.</summary>
    public Objective<T> Objective { get; }

    public int ParameterCount => Objective.ParameterCount;

    /// <summary>Scratch for g_B.</summary>
    public T[] Gradient => gradient ??= new T[ParameterCount];

    /// <summary>Scratch for a direction built from g_B (s = g_B + μv, θ − ηg_B, g_B − g).</summary>
    public T[] Direction => direction ??= new T[ParameterCount];

    /// <summary>Scratch for an operator image (H_B v, G_B v).</summary>
    public T[] Image => image ??= new T[ParameterCount];

    /// <summary>H_B at this worker's last linearization point, as an operator (for batch eigenvalues).</summary>
    public HessianOperator<T> Hessian => hessian ??= new HessianOperator<T>(Objective);

    /// <summary>Copies the samples at <paramref name="indices"/> of the full data into <see cref="Batch"/>.</summary>
    public void Load(ReadOnlySpan<int> indices) => source.GatherInto(indices, Batch);
}
