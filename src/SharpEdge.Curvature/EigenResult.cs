namespace SharpEdge.Curvature;

/// <summary>
/// Eigenpairs from a solver, with their cost. <see cref="Values"/> are ordered as asked for (descending for
/// <see cref="Spectrum.LargestAlgebraic"/>, ascending for <see cref="Spectrum.SmallestAlgebraic"/>, by
/// descending |λ| for <see cref="Spectrum.LargestMagnitude"/>); <see cref="Vectors"/>[i] is the unit
/// eigenvector of <see cref="Values"/>[i] when vectors were asked for. <see cref="Residuals"/>[i] is
/// ‖A xᵢ − λᵢ xᵢ‖ (an estimate or the true norm: each solver documents which). <see cref="Products"/> counts
/// operator applications (a block of k vectors counts k); <see cref="Converged"/> says whether every
/// residual met the solver's tolerance (<see cref="RitzConvergence"/>).
/// </summary>
public sealed record EigenResult(double[] Values, double[][]? Vectors, double[] Residuals, int Products, double Seconds, bool Converged, int Iterations);
