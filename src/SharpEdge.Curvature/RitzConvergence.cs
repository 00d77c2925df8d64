namespace SharpEdge.Curvature;

/// <summary>
/// The stopping test shared by the eigensolvers: a Ritz pair (θ, x), ‖x‖ = 1, has converged when
/// ‖A x − θ x‖ ≤ tol · max(|θ|, 10⁻³ · ‖A‖̂), with ‖A‖̂ the largest |Ritz value| seen so far (a lower bound on
/// ‖A‖₂). The floor keeps the test meaningful for eigenvalues near zero, where a purely relative residual is
/// unattainable. For a symmetric A the eigenvalue error is then at most ‖r‖²/gap (Kato–Temple), far below tol·|θ|.
/// </summary>
public static class RitzConvergence
{
    /// <summary>The fraction of ‖A‖̂ below which |θ| no longer sets the scale.</summary>
    public const double ScaleFloor = 1e-3;

    /// <summary>The residual norm that counts as converged for Ritz value <paramref name="theta"/>.</summary>
    public static double Threshold(double theta, double normEstimate, double tolerance) =>
        tolerance * Math.Max(Math.Abs(theta), ScaleFloor * Math.Abs(normEstimate));

    internal static void CheckTolerance(double tolerance)
    {
        if (!(tolerance > 0) || !double.IsFinite(tolerance))
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "the tolerance must be positive and finite");
    }
}
