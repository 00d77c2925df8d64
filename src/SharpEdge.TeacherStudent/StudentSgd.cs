namespace SharpEdge.TeacherStudent;

/// <summary>
/// The fast SGD state of one model (phase_ml_spec §9.2): features φ1 = σ(M x) and labels computed once, the
/// student stored transposed (L×Kp) with K zero-padded to the kernel's tile, and per-batch scratch — all
/// allocated here, so an epoch allocates nothing. Not thread-safe; one instance per thread.
/// </summary>
internal sealed unsafe class StudentSgd
{
    private readonly TeacherStudentConfig config;
    private readonly SimdPath path;
    private readonly int width, units, paddedUnits;
    private readonly AlignedBuffer features, labels, weights, readout, activations, errors, residuals, gradientSum;

    /// <summary>The state of <paramref name="model"/>, whose φ1 (N×L) <see cref="TeacherStudentModel.Generate"/> left in <paramref name="modelFeatures"/>.</summary>
    public StudentSgd(TeacherStudentConfig config, TeacherStudentModel model, ReadOnlySpan<double> modelFeatures, SimdPath requestedPath)
    {
        this.config = config;
        path = SimdPaths.Resolve(requestedPath);
        width = config.FirstHiddenWidth;
        units = config.HiddenUnits;
        int tile = SimdPaths.UnitTile(path);
        paddedUnits = (units + tile - 1) / tile * tile;
        int samples = config.SampleCount, batchSize = config.BatchSize;

        if (modelFeatures.Length != samples * width)
            throw new ArgumentException($"φ1 of {samples} samples needs {samples * width} values, got {modelFeatures.Length}", nameof(modelFeatures));
        features = new AlignedBuffer(samples * width);
        modelFeatures.CopyTo(features.Span);
        labels = new AlignedBuffer(samples);
        model.Labels.CopyTo(labels.Span);

        weights = new AlignedBuffer(width * paddedUnits);
        SetStudent(model.InitialStudent);
        readout = new AlignedBuffer(paddedUnits);
        model.Readout.CopyTo(readout.Span);
        activations = new AlignedBuffer(batchSize * paddedUnits);
        errors = new AlignedBuffer(batchSize * paddedUnits);
        residuals = new AlignedBuffer(batchSize);
        gradientSum = new AlignedBuffer(width * paddedUnits);
    }

    /// <summary>The kernel this instance runs.</summary>
    public SimdPath Path => path;

    /// <summary>
    /// One pass over the batches in their fixed order. With <paramref name="accumulateGradient"/> the sum of
    /// the batch gradients is also kept (only save epochs need it, phase_ml_spec §9.2), for
    /// <see cref="CopyMeanGradient"/>.
    /// </summary>
    public EpochOutcome RunEpoch(bool accumulateGradient)
    {
        if (accumulateGradient) gradientSum.Span.Clear();
        var buffers = new SgdBuffers
        {
            Features = features.Pointer,
            Labels = labels.Pointer,
            Weights = weights.Pointer,
            Readout = readout.Pointer,
            Activations = activations.Pointer,
            UnitErrors = errors.Pointer,
            Residuals = residuals.Pointer,
            GradientSum = gradientSum.Pointer,
            Width = width,
            PaddedUnits = paddedUnits,
            BatchSize = config.BatchSize,
            BatchCount = config.BatchCount,
            StepScale = config.LearningRate / config.BatchSize,
            AccumulateGradient = accumulateGradient,
        };
        return (path, config.Activation) switch
        {
            (SimdPath.Avx512, Activation.Tanh) => Avx512SgdKernel.RunEpoch<TanhKernel>(buffers),
            (SimdPath.Avx512, Activation.Relu) => Avx512SgdKernel.RunEpoch<ReluKernel>(buffers),
            (SimdPath.Avx512, _) => Avx512SgdKernel.RunEpoch<IdentityKernel>(buffers),
            (SimdPath.Vector256, Activation.Tanh) => Vector256SgdKernel.RunEpoch<TanhKernel>(buffers),
            (SimdPath.Vector256, Activation.Relu) => Vector256SgdKernel.RunEpoch<ReluKernel>(buffers),
            (SimdPath.Vector256, _) => Vector256SgdKernel.RunEpoch<IdentityKernel>(buffers),
            (_, Activation.Tanh) => ScalarSgdKernel.RunEpoch<TanhKernel>(buffers),
            (_, Activation.Relu) => ScalarSgdKernel.RunEpoch<ReluKernel>(buffers),
            _ => ScalarSgdKernel.RunEpoch<IdentityKernel>(buffers),
        };
    }

    /// <summary>Replaces the student (K×L, row-major).</summary>
    public void SetStudent(ReadOnlySpan<double> student)
    {
        if (student.Length != units * width) throw new ArgumentException($"student must have K·L = {units * width} values", nameof(student));
        var transposed = weights.Span;
        transposed.Clear();
        for (int k = 0; k < units; k++)
            for (int l = 0; l < width; l++) transposed[l * paddedUnits + k] = student[k * width + l];
    }

    /// <summary>The current student, K×L row-major.</summary>
    public void CopyStudent(Span<double> student)
    {
        if (student.Length != units * width) throw new ArgumentException($"student must have K·L = {units * width} values", nameof(student));
        var transposed = weights.Span;
        for (int k = 0; k < units; k++)
            for (int l = 0; l < width; l++) student[k * width + l] = transposed[l * paddedUnits + k];
    }

    /// <summary>
    /// The mean over the last (accumulating) epoch's batches of the batch gradient
    /// −(1/bs) Σ_n error_n ⊗ φ1_n, K×L row-major: generate.py's <c>grad_acc / n_batchs</c> (§3.1).
    /// </summary>
    public void CopyMeanGradient(Span<double> gradient)
    {
        if (gradient.Length != units * width) throw new ArgumentException($"gradient must have K·L = {units * width} values", nameof(gradient));
        var sums = gradientSum.Span;
        double batchSize = config.BatchSize, batchCount = config.BatchCount;
        for (int k = 0; k < units; k++)
            for (int l = 0; l < width; l++) gradient[k * width + l] = -(sums[l * paddedUnits + k] / batchSize) / batchCount;
    }
}
