using System.Numerics;
using SharpEdge.Nn;

namespace SharpEdge.Curvature;

/// <summary>
/// The empirical Fisher F_emp = (1/N) Σₙ gₙ gₙᵀ over an objective's N samples at its linearization point, with
/// gₙ = ∇_θ ℓₙ the per-example gradient of the loss at the observed label (not divided by N; the mean gradient
/// is g = (1/N) Σ gₙ). Positive semi-definite, of rank ≤ N: the uncentred second moment of the per-example
/// gradients, so F_emp − ggᵀ = (1/N) Σ (gₙ − g)(gₙ − g)ᵀ is their covariance. Since gₙ = Jₙᵀ rₙ with
/// rₙ = ∇_z ℓₙ, F_emp = (1/N) Σ Jₙᵀ rₙ rₙᵀ Jₙ, a Gauss-Newton form whose output matrix rₙrₙᵀ replaces the loss
/// Hessian. It is applied without forming any gₙ: one Jacobian-vector product, N dot products in output space
/// and one vector-Jacobian product, streamed over the objective's chunks (two passes per product where the
/// chunks' activations are not cached).
/// </summary>
/// <remarks>
/// It equals the <see cref="TrueFisherOperator{T}"/> only in expectation over labels drawn from the model, so it
/// differs from it wherever the model is not calibrated (Kunstner, Balles and Hennig 2019). The output gradients
/// rₙ are taken once, when the operator is built: build it after <see cref="Objective{T}.Linearize"/> at the point
/// of interest, and build a new one after linearizing elsewhere.
/// </remarks>
public sealed class EmpiricalFisherOperator<T> : ILinearOperator where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly OutputOuterProducts<T> products;

    /// <param name="objective">Linearized at the point of interest.</param>
    public EmpiricalFisherOperator(Objective<T> objective)
    {
        ArgumentNullException.ThrowIfNull(objective);
        int n = objective.Data.Count, outputs = objective.Network.OutputSize;
        var z = new T[checked(n * outputs)];
        objective.Outputs(z);
        var dz = new T[z.Length];
        objective.Loss.Evaluate(z, objective.Data, 0, n, 1.0, dz); // normaliser 1: each row is ∇_z ℓₙ
        products = new OutputOuterProducts<T>(objective, dz.Select(double.CreateTruncating).ToArray(), 1);
    }

    public int Size => products.Size;

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        LinearOperator.CheckVector(this, v, result);
        products.Apply(v, result);
    }
}
