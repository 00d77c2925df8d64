using System.Numerics;
using SharpEdge.Nn;

namespace SharpEdge.Curvature;

/// <summary>
/// The Hessian ∇²L(θ) of an objective at the point of its last <see cref="Objective{T}.Linearize"/>, applied
/// exactly by the R-operator (one R-forward and one R-backward per product; the forward and backward passes at
/// θ are reused). Vectors are float64; a float32 model converts on the way in and out.
/// </summary>
public sealed class HessianOperator<T>(Objective<T> objective) : ILinearOperator where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] input = new T[objective.ParameterCount];
    private readonly T[] output = new T[objective.ParameterCount];

    public int Size => objective.ParameterCount;

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        for (int i = 0; i < input.Length; i++) input[i] = T.CreateTruncating(v[i]);
        objective.HessianVectorProduct(input, output);
        for (int i = 0; i < output.Length; i++) result[i] = double.CreateTruncating(output[i]);
    }
}

/// <summary>The generalised Gauss-Newton matrix Jᵀ H_ℓ J at the linearization point (one R-forward and one backward per product).</summary>
public sealed class GaussNewtonOperator<T>(Objective<T> objective) : ILinearOperator where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] input = new T[objective.ParameterCount];
    private readonly T[] output = new T[objective.ParameterCount];

    public int Size => objective.ParameterCount;

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        for (int i = 0; i < input.Length; i++) input[i] = T.CreateTruncating(v[i]);
        objective.GaussNewtonVectorProduct(input, output);
        for (int i = 0; i < output.Length; i++) result[i] = double.CreateTruncating(output[i]);
    }
}
