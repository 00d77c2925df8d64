using System.Numerics;
using SharpEdge.Nn;

namespace SharpEdge.Curvature;

/// <summary>
/// The (true) Fisher information F = (1/N) Σₙ E_{ỹ ~ p(·|zₙ)}[∇_θ ℓ(zₙ, ỹ) ∇_θ ℓ(zₙ, ỹ)ᵀ] of the model's predictive
/// distribution over an objective's N samples, the loss read as a negative log-likelihood. With ∇_θ ℓ = Jₙᵀ∇_zℓ,
/// F = (1/N) Σ Jₙᵀ Aₙ Jₙ where Aₙ = E[∇_zℓ ∇_zℓᵀ] is the Fisher of the output distribution, in closed form:
/// <list type="bullet">
/// <item>cross-entropy (categorical with logits z): Aₙ = diag pₙ − pₙpₙᵀ, pₙ = softmax(zₙ);</item>
/// <item>EoSS's MSE ℓ = Σ_c (z_c − y_c)², the negative log-likelihood of N(z, σ²I) with σ² = ½ up to a constant:
/// Aₙ = I/σ² = 2I, so F = (2/N) JᵀJ (a Gaussian of another noise scale σ² gives F/(2σ²)).</item>
/// </list>
/// For both, Aₙ is the output Hessian ∇²_z ℓₙ (z is the natural parameter of the exponential family), so F is the
/// generalised Gauss-Newton matrix and is applied as one: one R-forward and one backward per product on the
/// objective's cached passes. <see cref="SampledFisherOperator{T}"/> estimates the expectation by drawn labels
/// instead; <see cref="EmpiricalFisherOperator{T}"/> uses the observed ones.
/// </summary>
public sealed class TrueFisherOperator<T>(Objective<T> objective) : ILinearOperator where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly GaussNewtonOperator<T> gaussNewton = new(objective);

    public int Size => gaussNewton.Size;

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        LinearOperator.CheckVector(this, v, result);
        gaussNewton.Apply(v, result);
    }
}
