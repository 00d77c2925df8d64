namespace SharpEdge.TeacherStudent;

/// <summary>
/// The two-hidden-layer network of phase_ml_spec §1.3 and its loss and gradient (§1.4), in plain readable
/// float64 loops. It is the reference the fast trainer is tested against, and computes the full-data loss and
/// gradient of slot 0 and the batch gradient of a divergence.
/// </summary>
/// <remarks>
/// For a second-layer matrix V (K×L, teacher or student) and sample x:
/// φ1 = σ(M x), z = V φ1, φ2 = σ(z), ŷ = Z φ2;
/// L_B(V) = (1/(2|B|)) Σ_n (y_n − ŷ_n)²;
/// ∂L_B/∂V_kl = −(1/|B|) Σ_n Z_k (y_n − ŷ_n) σ'(z_nk) φ1_nl, with σ'(z) computed from σ(z) as in generate.py.
/// Not thread-safe: it keeps per-sample scratch.
/// </remarks>
public sealed class TeacherStudentNetwork
{
    private readonly Activation activation;
    private readonly int inputDim, width, hiddenUnits;
    private readonly double[] firstLayer, readout;
    private readonly double[] featureScratch, hiddenScratch;

    /// <param name="config">Sizes and activation.</param>
    /// <param name="firstLayer">M, L×D. Not copied.</param>
    /// <param name="readout">Z, 1×K. Not copied.</param>
    public TeacherStudentNetwork(TeacherStudentConfig config, double[] firstLayer, double[] readout)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(firstLayer);
        ArgumentNullException.ThrowIfNull(readout);
        activation = config.Activation;
        inputDim = config.InputDim;
        width = config.FirstHiddenWidth;
        hiddenUnits = config.HiddenUnits;
        if (firstLayer.Length != width * inputDim) throw new ArgumentException($"M must have L·D = {width * inputDim} elements", nameof(firstLayer));
        if (readout.Length != hiddenUnits) throw new ArgumentException($"Z must have K = {hiddenUnits} elements", nameof(readout));
        this.firstLayer = firstLayer;
        this.readout = readout;
        featureScratch = new double[width];
        hiddenScratch = new double[hiddenUnits];
    }

    /// <summary>φ1 = σ(M x) for one sample (D inputs → L features).</summary>
    public void Features(ReadOnlySpan<double> input, Span<double> features)
    {
        for (int l = 0; l < width; l++)
        {
            double preActivation = 0.0;
            for (int i = 0; i < inputDim; i++) preActivation += firstLayer[l * inputDim + i] * input[i];
            features[l] = activation.Apply(preActivation);
        }
    }

    /// <summary>ŷ = Z σ(V φ1) for one sample; leaves φ2 = σ(V φ1) in <paramref name="hidden"/> (K).</summary>
    public double Output(ReadOnlySpan<double> secondLayer, ReadOnlySpan<double> features, Span<double> hidden)
    {
        double output = 0.0;
        for (int k = 0; k < hiddenUnits; k++)
        {
            double preActivation = 0.0;
            for (int l = 0; l < width; l++) preActivation += secondLayer[k * width + l] * features[l];
            hidden[k] = activation.Apply(preActivation);
            output += readout[k] * hidden[k];
        }
        return output;
    }

    /// <summary>L_B of the student on the samples given (inputs n×D, labels n).</summary>
    public double Loss(ReadOnlySpan<double> student, ReadOnlySpan<double> inputs, ReadOnlySpan<double> labels)
    {
        int samples = CheckBatch(student, inputs, labels);
        double squaredErrors = 0.0;
        for (int n = 0; n < samples; n++)
        {
            Features(inputs.Slice(n * inputDim, inputDim), featureScratch);
            double residual = labels[n] - Output(student, featureScratch, hiddenScratch);
            squaredErrors += residual * residual;
        }
        return 0.5 * (squaredErrors / samples);
    }

    /// <summary>L_B and ∂L_B/∂Wp (K×L, overwritten) on the samples given; both at the same, unchanged student.</summary>
    public double LossAndGradient(ReadOnlySpan<double> student, ReadOnlySpan<double> inputs, ReadOnlySpan<double> labels, Span<double> gradient)
    {
        int samples = CheckBatch(student, inputs, labels);
        CheckGradient(gradient);
        double squaredErrors = 0.0;
        for (int n = 0; n < samples; n++)
        {
            Features(inputs.Slice(n * inputDim, inputDim), featureScratch);
            squaredErrors += AddSampleGradient(student, featureScratch, labels[n], gradient);
        }
        return MeanLossAndGradient(squaredErrors, samples, gradient);
    }

    /// <summary>
    /// <see cref="LossAndGradient"/> from the samples' φ1 (n×L, as <see cref="TeacherStudentModel.Generate"/> keeps it) instead of
    /// their inputs: the same operations in the same order, without computing φ1 again.
    /// </summary>
    public double LossAndGradientOfFeatures(ReadOnlySpan<double> student, ReadOnlySpan<double> features, ReadOnlySpan<double> labels, Span<double> gradient)
    {
        CheckStudentAndLabels(student, labels);
        if (features.Length != labels.Length * width)
            throw new ArgumentException($"{labels.Length} labels need {labels.Length * width} features, got {features.Length}", nameof(features));
        CheckGradient(gradient);
        double squaredErrors = 0.0;
        for (int n = 0; n < labels.Length; n++) squaredErrors += AddSampleGradient(student, features.Slice(n * width, width), labels[n], gradient);
        return MeanLossAndGradient(squaredErrors, labels.Length, gradient);
    }

    private void CheckGradient(Span<double> gradient)
    {
        if (gradient.Length != hiddenUnits * width) throw new ArgumentException($"gradient must have K·L = {hiddenUnits * width} elements", nameof(gradient));
        gradient.Clear();
    }

    // Adds −∂ℓ_n/∂Wp of one sample to the gradient; returns its squared residual.
    private double AddSampleGradient(ReadOnlySpan<double> student, ReadOnlySpan<double> features, double label, Span<double> gradient)
    {
        double residual = label - Output(student, features, hiddenScratch);
        for (int k = 0; k < hiddenUnits; k++)
        {
            // Σ_o Z_ok (y_o − ŷ_o) · σ'(z_k): the back-propagated residual of unit k.
            double unitError = readout[k] * residual * activation.SlopeFromActivated(hiddenScratch[k]);
            for (int l = 0; l < width; l++) gradient[k * width + l] += unitError * features[l];
        }
        return residual * residual;
    }

    // The sum of −∂ℓ_n/∂Wp becomes the gradient, minus its mean; the loss is half the mean squared residual.
    private static double MeanLossAndGradient(double squaredErrors, int samples, Span<double> gradient)
    {
        for (int i = 0; i < gradient.Length; i++) gradient[i] = -(gradient[i] / samples);
        return 0.5 * (squaredErrors / samples);
    }

    private int CheckBatch(ReadOnlySpan<double> student, ReadOnlySpan<double> inputs, ReadOnlySpan<double> labels)
    {
        CheckStudentAndLabels(student, labels);
        if (inputs.Length != labels.Length * inputDim)
            throw new ArgumentException($"{labels.Length} labels need {labels.Length * inputDim} inputs, got {inputs.Length}", nameof(inputs));
        return labels.Length;
    }

    private void CheckStudentAndLabels(ReadOnlySpan<double> student, ReadOnlySpan<double> labels)
    {
        if (student.Length != hiddenUnits * width) throw new ArgumentException($"student must have K·L = {hiddenUnits * width} elements", nameof(student));
        if (labels.Length == 0) throw new ArgumentException("need at least one sample", nameof(labels));
    }
}
