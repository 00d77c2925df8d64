namespace SharpEdge.TeacherStudent;

/// <summary>
/// What one SGD epoch of a fast kernel reads and writes, as raw pointers into <see cref="AlignedBuffer"/>s
/// owned by <see cref="StudentSgd"/>. Layouts: features N×L (sample rows); labels N; weights L×Kp, the student
/// transposed with K zero-padded to Kp so that a row of units is whole vectors; readout Kp; activations and
/// unit errors bs×Kp; gradient sum L×Kp.
/// </summary>
internal readonly unsafe struct SgdBuffers
{
    public double* Features { get; init; }

    public double* Labels { get; init; }

    public double* Weights { get; init; }

    public double* Readout { get; init; }

    /// <summary>Pre-activations, then φ2 = σ(z), of the current batch.</summary>
    public double* Activations { get; init; }

    /// <summary>Z_k (y_n − ŷ_n) σ'(z_nk): minus ∂ℓ_n/∂z_nk.</summary>
    public double* UnitErrors { get; init; }

    /// <summary>y_n − ŷ_n of the current batch.</summary>
    public double* Residuals { get; init; }

    /// <summary>Σ over the epoch's steps of Σ_n unit error ⊗ φ1, kept only when <see cref="AccumulateGradient"/>.</summary>
    public double* GradientSum { get; init; }

    /// <summary>L.</summary>
    public int Width { get; init; }

    /// <summary>Kp, a multiple of the kernel's unit tile.</summary>
    public int PaddedUnits { get; init; }

    public int BatchSize { get; init; }

    public int BatchCount { get; init; }

    /// <summary>lr/bs: the update is Wp += (lr/bs) Σ_n unit error ⊗ φ1.</summary>
    public double StepScale { get; init; }

    public bool AccumulateGradient { get; init; }
}

/// <summary>
/// The end of an epoch: the sum of the pre-update batch losses of the steps taken, and the batch whose loss
/// exceeded the divergence threshold (−1 if none; its update was not applied and the epoch stopped there).
/// </summary>
internal readonly record struct EpochOutcome(double LossSum, int DivergedBatch);
