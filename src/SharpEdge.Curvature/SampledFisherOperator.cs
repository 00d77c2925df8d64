using System.Numerics;
using SharpEdge.Nn;
using SharpEdge.Numerics;

namespace SharpEdge.Curvature;

/// <summary>
/// The Monte-Carlo (sampled-label) Fisher F̂ = (1/(N·S)) Σₙ Σₛ gₙₛ gₙₛᵀ with gₙₛ = ∇_θ ℓ(zₙ, ỹₙₛ) at S labels
/// ỹₙₛ per sample drawn from the model's predictive distribution p(·|zₙ) (<see cref="Loss{T}.SampledLabelGradients"/>):
/// an unbiased estimate of the <see cref="TrueFisherOperator{T}"/>, E[F̂] = F, of rank ≤ N·S. The labels are drawn
/// once, when the operator is built, so F̂ is one fixed positive semi-definite matrix that an eigensolver can
/// work on. Applied like the <see cref="EmpiricalFisherOperator{T}"/> (one JVP, N·S dot products in output space,
/// one VJP), so a product costs the same whatever S.
/// </summary>
public sealed class SampledFisherOperator<T> : ILinearOperator where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly OutputOuterProducts<T> products;

    /// <param name="objective">Linearized at the point of interest; build a new operator after linearizing elsewhere.</param>
    /// <param name="seed">Seed of the label draws.</param>
    /// <param name="labelsPerSample">S, the labels drawn per sample.</param>
    public SampledFisherOperator(Objective<T> objective, ulong seed, int labelsPerSample = 1)
    {
        ArgumentNullException.ThrowIfNull(objective);
        if (labelsPerSample < 1) throw new ArgumentOutOfRangeException(nameof(labelsPerSample), labelsPerSample, "at least one label per sample");
        int n = objective.Data.Count, outputs = objective.Network.OutputSize;
        var z = new T[checked(n * outputs)];
        objective.Outputs(z);
        var rng = new Rng(seed);
        var vectors = new double[checked(z.Length * labelsPerSample)];
        for (int i = 0; i < n; i++)
            for (int s = 0; s < labelsPerSample; s++)
                objective.Loss.SampledLabelGradients(z.AsSpan(i * outputs, outputs), 1, rng, vectors.AsSpan((i * labelsPerSample + s) * outputs, outputs));
        products = new OutputOuterProducts<T>(objective, vectors, labelsPerSample);
        LabelsPerSample = labelsPerSample;
    }

    public int LabelsPerSample { get; }
    public int Size => products.Size;

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        LinearOperator.CheckVector(this, v, result);
        products.Apply(v, result);
    }
}
