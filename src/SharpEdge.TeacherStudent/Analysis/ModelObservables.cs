namespace SharpEdge.TeacherStudent.Analysis;

/// <summary>
/// The notebook's per-model observables at the final slot t_f (phase_ml_spec §5.2–§5.6), with the corrected
/// variants beside the as-coded ones where the original has a quirk that changes numbers.
/// </summary>
public sealed record ModelObservables
{
    public required int Model { get; init; }
    public required long Seed { get; init; }
    /// <summary>Plain test MSE over the 128 notebook inputs, no factor ½ (§5.2).</summary>
    public required double TestLoss { get; init; }
    /// <summary>Overlap of initial and final student activations, (1/(128·K)) Σ s_init·s (§5.2).</summary>
    public required double QTime { get; init; }
    /// <summary>Cosine of the field h = Zᵀy_teacher and the student activations, divided by 128 (§5.2).</summary>
    public required double Hs { get; init; }
    /// <summary>Per-unit cosine over the test points, averaged over units (the notebook's last cell).</summary>
    public required double Hsd { get; init; }
    /// <summary>K_t = |K̃_00| − |K̃_{K−1,K−1}|: drift difference of the largest and smallest eigenvalue of WWᵀ (§5.4).</summary>
    public required double DriftDifference { get; init; }
    /// <summary>V_t as coded: Ṽ = Uᵀ Var_n[dX] U and the smallest-eigenvalue index K−k (off by one) (§5.4).</summary>
    public required double NoiseAsCoded { get; init; }
    /// <summary>V_t corrected: Ṽ_ab = Var_n[(Uᵀ dX_n U)_ab] (independent of eigenvector signs) and index K−1−k.</summary>
    public required double NoiseCorrected { get; init; }
    /// <summary>K_t / (V_t + 1e-15) with the as-coded V_t.</summary>
    public required double SignalToNoise { get; init; }
    /// <summary>The criterion of <c>limit_matrix_new</c> with the as-coded V_t (§5.5); NaN fails.</summary>
    public required bool OrderedAsCoded { get; init; }
    /// <summary>The same criterion with the corrected V_t.</summary>
    public required bool OrderedCorrected { get; init; }
    /// <summary>ln(ū(t_f)/ū(0)) / epochs, the notebook's normalisation by the nominal epoch count (§5.6).</summary>
    public required double RateAsCoded { get; init; }
    /// <summary>The same growth rate per epoch actually elapsed between slot 0 and t_f (95 001 for 100 000).</summary>
    public required double RateCorrected { get; init; }
    /// <summary>Final training loss (epoch mean of the mini-batch losses in the last saved epoch).</summary>
    public required double FinalTrainLoss { get; init; }
    /// <summary>‖dW‖_F at t_f (epoch-mean mini-batch gradient).</summary>
    public required double FinalGradientNorm { get; init; }
    /// <summary>‖dW‖_F at slot 0 (full-data gradient at initialisation, Fig. 4c).</summary>
    public required double InitialGradientNorm { get; init; }
    /// <summary>Eigenvalues of W_t W_tᵀ (squared singular values), descending, per slot: slots × K.</summary>
    public required double[] SquaredSingularValues { get; init; }
    /// <summary>Eigenvalues of the teacher's W Wᵀ, descending.</summary>
    public required double[] TeacherSquaredSingularValues { get; init; }
}
