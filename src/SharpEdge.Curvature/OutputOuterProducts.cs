using System.Numerics;
using SharpEdge.Nn;

namespace SharpEdge.Curvature;

/// <summary>
/// M v = (1/(N·S)) Σₙ Σₛ Jₙᵀ rₙₛ (rₙₛᵀ Jₙ v) for S stored output-space vectors rₙₛ ∈ ℝᶜ per sample (row-major
/// [N, S, C]), with Jₙ = ∂zₙ/∂θ at the objective's linearization point: a sum of N·S rank-one terms gₙₛgₙₛᵀ,
/// gₙₛ = Jₙᵀrₙₛ, without forming any gₙₛ. The form of the empirical Fisher (rₙ the output gradient at the
/// observed label) and of the sampled-label Fisher. One JVP, N·S dot products in ℝᶜ, one VJP per product.
/// </summary>
internal sealed class OutputOuterProducts<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Objective<T> objective;
    private readonly double[] vectors;
    private readonly int perSample;
    private readonly T[] direction, jv, cotangent, image;
    private readonly double[] sum;

    public OutputOuterProducts(Objective<T> objective, double[] vectors, int perSample)
    {
        this.objective = objective;
        this.vectors = vectors;
        this.perSample = perSample;
        int outputs = checked(objective.Data.Count * objective.Network.OutputSize);
        if (vectors.Length != (long)outputs * perSample) throw new ArgumentException($"expected {outputs}x{perSample} output vectors, got {vectors.Length} values");
        direction = new T[objective.ParameterCount];
        image = new T[objective.ParameterCount];
        jv = new T[outputs];
        cotangent = new T[outputs];
        sum = new double[objective.Network.OutputSize];
    }

    public int Size => objective.ParameterCount;

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        for (int i = 0; i < direction.Length; i++) direction[i] = T.CreateTruncating(v[i]);
        objective.Jvp(direction, jv);
        int n = objective.Data.Count, c = objective.Network.OutputSize;
        double scale = 1.0 / ((double)n * perSample);
        for (int i = 0; i < n; i++)
        {
            var a = jv.AsSpan(i * c, c);
            Array.Clear(sum);
            for (int s = 0; s < perSample; s++)
            {
                var r = vectors.AsSpan((i * perSample + s) * c, c);
                double dot = 0;
                for (int k = 0; k < c; k++) dot += r[k] * double.CreateTruncating(a[k]);
                for (int k = 0; k < c; k++) sum[k] += dot * r[k];
            }
            for (int k = 0; k < c; k++) cotangent[i * c + k] = T.CreateTruncating(scale * sum[k]);
        }
        objective.Vjp(cotangent, image);
        for (int i = 0; i < image.Length; i++) result[i] = double.CreateTruncating(image[i]);
    }
}
