using System.Numerics;
using SharpEdge.Nn;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// The empirical neural tangent kernel K = J Jᵀ of an objective's m samples at its linearization point, as an
/// operator on output space ℝ^{m·C} (sample-major: entry i·C + c is output c of sample i), with J = ∂z/∂θ the
/// (m·C) × P Jacobian of all outputs. K u = J (Jᵀ u): one vector-Jacobian product (backward) and one
/// Jacobian-vector product (R-forward) over all m samples. Its non-zero eigenvalues are those of JᵀJ, so
/// (2/m)·λ_max(K) = λ_max((2/m) JᵀJ), the top eigenvalue of the MSE Gauss-Newton matrix, for any number of
/// outputs C (the original's per-sample-gradient construction needs C = 1, eoss_spec §7.9).
/// </summary>
public sealed class NeuralTangentKernelOperator<T> : ILinearOperator where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Objective<T> objective;
    private readonly T[] outputs, parameters, image;

    /// <param name="objective">Linearized at the point of interest before the first product.</param>
    public NeuralTangentKernelOperator(Objective<T> objective)
    {
        ArgumentNullException.ThrowIfNull(objective);
        this.objective = objective;
        Size = checked(objective.Data.Count * objective.Network.OutputSize);
        outputs = new T[Size];
        image = new T[Size];
        parameters = new T[objective.ParameterCount];
    }

    public int Size { get; }

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        LinearOperator.CheckVector(this, v, result);
        for (int i = 0; i < outputs.Length; i++) outputs[i] = T.CreateTruncating(v[i]);
        objective.Vjp(outputs, parameters);
        objective.Jvp(parameters, image);
        for (int i = 0; i < image.Length; i++) result[i] = double.CreateTruncating(image[i]);
    }
}
