using System.Diagnostics;
using System.Numerics.Tensors;
using SharpEdge.Numerics;

namespace SharpEdge.Curvature;

/// <summary>
/// Power iteration v ← Av/‖Av‖ (von Mises 1929). It converges to the eigenvector of the eigenvalue of largest
/// MAGNITUDE, at the rate |λ₂/λ₁| per product, and reports the signed Rayleigh quotient ρ = vᵀAv, so a
/// dominant negative eigenvalue comes back negative (not as |λ| = ‖Av‖, the seed code's value, spec §6.3).
/// Stops when ‖Av − ρv‖ ≤ tol·|ρ| (<see cref="RitzConvergence"/>), which bounds the eigenvalue error by
/// ‖r‖²/gap; a ±λ pair of equal magnitude never converges and ends at the iteration cap with Converged false.
/// </summary>
/// <remarks>
/// For <see cref="Spectrum.LargestAlgebraic"/> (or <see cref="Spectrum.SmallestAlgebraic"/>) the dominant
/// eigenvalue λ_d is found first; if its sign is not the wanted one, a second run on the shifted operator
/// A − λ_d I, whose spectrum lies on one side of zero, finds λ_max − λ_d (or λ_min − λ_d) and λ_d is added
/// back. The first run needs only a coarse λ_d (<see cref="ShiftTolerance"/>). The second run converges at
/// the rate (λ₂ − λ_d)/(λ_max − λ_d), usually slower than Lanczos or LOBPCG: prefer those for λ_max.
/// </remarks>
public sealed class PowerIteration
{
    public Spectrum Which { get; init; } = Spectrum.LargestMagnitude;
    public double Tolerance { get; init; } = 1e-6;
    /// <summary>Relative residual tolerance of the dominant-eigenvalue run that only sets the shift.</summary>
    public double ShiftTolerance { get; init; } = 1e-3;
    /// <summary>The most products per run (the shifted variant makes two runs).</summary>
    public int MaxIterations { get; init; } = 1000;
    public ulong Seed { get; init; }
    public bool ReturnVectors { get; init; }

    /// <summary><paramref name="start"/> is the first iterate (a warm start); empty means Gaussian from <see cref="Seed"/>.</summary>
    public EigenResult Solve(ILinearOperator op, ReadOnlySpan<double> start = default)
    {
        ArgumentNullException.ThrowIfNull(op);
        int n = op.Size;
        RitzConvergence.CheckTolerance(Tolerance);
        RitzConvergence.CheckTolerance(ShiftTolerance);
        if (MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "at least one product is needed");
        if (!start.IsEmpty && start.Length != n) throw new ArgumentException($"the start vector has length {start.Length}, the operator has size {n}", nameof(start));
        if (!Enum.IsDefined(Which)) throw new ArgumentOutOfRangeException(nameof(Which), Which, "unknown part of the spectrum");
        var clock = Stopwatch.StartNew();
        var rng = new Rng(Seed);
        var v = new double[n];
        var w = new double[n];
        var r = new double[n];
        if (start.IsEmpty) rng.FillNormal(v);
        else start.CopyTo(v);

        bool algebraic = Which != Spectrum.LargestMagnitude;
        var first = Run(op, 0, v, w, r, algebraic ? ShiftTolerance : Tolerance);
        int products = first.Products;
        var result = first;
        bool wantedSign = Which switch
        {
            Spectrum.LargestAlgebraic => first.Value >= 0,
            Spectrum.SmallestAlgebraic => first.Value <= 0,
            _ => true,
        };
        if (algebraic && wantedSign && first.Residual > RitzConvergence.Threshold(first.Value, first.Value, Tolerance))
        {
            // the dominant eigenvalue is the wanted one: refine it to the full tolerance from where it stands
            result = Run(op, 0, v, w, r, Tolerance);
            products += result.Products;
        }
        else if (algebraic && !wantedSign)
        {
            double shift = first.Value;
            rng.FillNormal(v);
            result = Run(op, shift, v, w, r, Tolerance, Math.Abs(shift));
            products += result.Products;
        }
        double[][]? vectors = ReturnVectors ? [v.ToArray()] : null;
        return new EigenResult([result.Value], vectors, [result.Residual], products, clock.Elapsed.TotalSeconds, result.Converged, products);
    }

    private readonly record struct Outcome(double Value, double Residual, int Products, bool Converged);

    /// <summary>
    /// Power iteration on A − σI from v (overwritten by the final unit iterate); reports the Rayleigh quotient
    /// of A and its residual at that iterate.
    /// </summary>
    private Outcome Run(ILinearOperator op, double shift, double[] v, double[] w, double[] r, double tolerance, double normFloor = 0)
    {
        double norm = TensorPrimitives.Norm(v);
        if (!(norm > 0) || !double.IsFinite(norm)) throw new ArgumentException($"the power-iteration start vector must be non-zero and finite, its norm is {norm}");
        TensorPrimitives.Divide(v, norm, v);
        double rho = 0, residual = double.PositiveInfinity;
        for (int products = 1; ; products++)
        {
            op.Apply(v, w);
            if (shift != 0) TensorPrimitives.MultiplyAdd(v, -shift, w, w);
            double mu = TensorPrimitives.Dot(v, w); // Rayleigh quotient of A − σI
            double image = TensorPrimitives.Norm(w);
            TensorPrimitives.MultiplyAdd(v, -mu, w, r);
            residual = TensorPrimitives.Norm(r);
            rho = mu + shift;
            double estimate = Math.Max(Math.Abs(mu), normFloor);
            bool converged = residual <= RitzConvergence.Threshold(rho, estimate, tolerance);
            if (converged || image == 0 || products == MaxIterations)
                return new Outcome(rho, residual, products, converged || image == 0);
            TensorPrimitives.Divide(w, image, v);
        }
    }
}
