using System.Numerics;
using SharpEdge.Curvature.Measurements;
using SharpEdge.Nn;

namespace SharpEdge.Training;

/// <summary>
/// The second-order Taylor model of a loss L around an anchor θ_s (eoss_spec §10.3):
/// L_q(θ_s + δ) = L(θ_s) + g_sᵀδ + ½ δᵀC_sδ, whose gradient is g_s + C_s δ, with g_s = ∇L(θ_s) and C_s the Hessian
/// ∇²L(θ_s), or with <see cref="GaussNewton"/> the generalised Gauss–Newton matrix G(θ_s) (for MSE 2/n Σ JᵢᵀJᵢ, with
/// the factor 2 the original drops, §15.1.12). On a minibatch objective it is the model of the batch loss L_B that
/// quadratic dynamics descends; on the full-data objective, the model loss that is logged. Exact: one gradient and
/// one curvature product at θ_s (R-operator), no finite differences.
/// </summary>
public sealed class TaylorModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] product;

    public TaylorModel(int parameterCount, bool gaussNewton)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parameterCount, 1);
        product = new T[parameterCount];
        GaussNewton = gaussNewton;
    }

    /// <summary>C is the Gauss–Newton matrix rather than the Hessian.</summary>
    public bool GaussNewton { get; }

    /// <summary>
    /// L_q(θ_s + δ) of <paramref name="objective"/>'s loss, and its gradient g_s + C_s δ in <paramref name="gradient"/>.
    /// Linearizes the objective at <paramref name="anchor"/> (held by reference for the call).
    /// </summary>
    public double Gradient(Objective<T> objective, ReadOnlyMemory<T> anchor, ReadOnlyMemory<T> delta, Span<T> gradient)
    {
        ArgumentNullException.ThrowIfNull(objective);
        Check(objective, anchor.Length, delta.Length, gradient.Length);
        var loss = objective.Linearize(anchor, gradient);
        Product(objective, delta, product);
        var linear = Float64Dot.Of<T>(gradient, delta.Span);
        var quadratic = Float64Dot.Of<T>(product, delta.Span);
        for (int i = 0; i < gradient.Length; i++) gradient[i] += product[i];
        return loss + linear + 0.5 * quadratic;
    }

    /// <summary>
    /// L_q(θ_s + δ) for an objective already linearized at θ_s, whose loss and gradient there are
    /// <paramref name="anchorLoss"/> and <paramref name="anchorGradient"/>: one curvature product, no gradient.
    /// </summary>
    public double Loss(Objective<T> objective, double anchorLoss, ReadOnlySpan<T> anchorGradient, ReadOnlyMemory<T> delta)
    {
        ArgumentNullException.ThrowIfNull(objective);
        Check(objective, anchorGradient.Length, delta.Length, product.Length);
        // δᵀHδ without forming Hδ (summed in float64); the Gauss–Newton form needs its product
        var quadratic = GaussNewton ? QuadraticFormGaussNewton(objective, delta) : objective.QuadraticForm(delta);
        return anchorLoss + Float64Dot.Of(anchorGradient, delta.Span) + 0.5 * quadratic;
    }

    private double QuadraticFormGaussNewton(Objective<T> objective, ReadOnlyMemory<T> delta)
    {
        objective.GaussNewtonVectorProduct(delta, product);
        return Float64Dot.Of<T>(product, delta.Span);
    }

    private void Product(Objective<T> objective, ReadOnlyMemory<T> delta, Span<T> result)
    {
        if (GaussNewton) objective.GaussNewtonVectorProduct(delta, result);
        else objective.HessianVectorProduct(delta, result);
    }

    private void Check(Objective<T> objective, int anchor, int delta, int gradient)
    {
        int p = objective.ParameterCount;
        if (p != product.Length || anchor != p || delta != p || gradient != p)
            throw new ArgumentException($"the model has {p} parameters; the Taylor model was built for {product.Length}, got θ_s {anchor}, δ {delta} and gradient {gradient} values");
    }
}
