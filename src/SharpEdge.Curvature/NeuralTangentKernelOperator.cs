using System.Numerics;
using SharpEdge.Nn;

namespace SharpEdge.Curvature;

/// <summary>
/// The empirical neural tangent kernel K = J Jᵀ of an objective's m samples at its linearization point, as an
/// operator on output space ℝ^{m·C} (sample-major: entry i·C + c is output c of sample i), with J = ∂z/∂θ the
/// (m·C) × P Jacobian of all outputs; block (i, j) of K is the C×C kernel Jᵢ Jⱼᵀ. K u = J (Jᵀ u): one
/// vector-Jacobian product (backward) and one Jacobian-vector product (R-forward) over all m samples, chunk by
/// chunk through the objective. No 1/m: K is the plain Gram matrix.
/// </summary>
/// <remarks>
/// K = J Jᵀ and JᵀJ share their non-zero eigenvalues (both come from the singular values of J), so with
/// EoSS's MSE, whose output Hessian is 2I/m and whose Gauss-Newton matrix is therefore G = (2/m) JᵀJ,
/// (2/m)·λᵢ(K) = λᵢ(G) for every non-zero eigenvalue, for any number of outputs C (the original's
/// per-sample-gradient construction needs C = 1, eoss_spec §7.9). K is the smaller matrix when m·C &lt; P.
/// </remarks>
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
