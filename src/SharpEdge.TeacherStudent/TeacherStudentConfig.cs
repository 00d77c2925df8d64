namespace SharpEdge.TeacherStudent;

/// <summary>
/// Everything that defines one (lr, eps) cell of the phase_ml teacher–student experiment: every parameter of
/// generate.py (phase_ml_spec §1–§4) with the paper's values as defaults (tanh, r = 2, K = 16, bs = 4,
/// all means 0 and widths 1, 1 000 batches, 100 000 epochs). Learning rate and student width default to 1,
/// a point of the paper's 12 × 12 grid (0.125 … 256 in both).
/// </summary>
/// <remarks>
/// Network: x ∈ R^D → φ1 = σ(M x) ∈ R^L → φ2 = σ(V φ1) ∈ R^K → ŷ = Z φ2 ∈ R (O = 1, no biases), L = r·K, with
/// V the teacher W or the student Wp; M and Z are frozen and shared by teacher and student (§1.2–§1.3).
/// </remarks>
public sealed record TeacherStudentConfig
{
    /// <summary>Output dimension O; generate.py hard-codes 1 and so does this implementation.</summary>
    public const int OutputDim = 1;

    /// <summary>Largest batch loss that is not a divergence: training stops when a batch loss exceeds it (§3.3).</summary>
    public const double DivergenceThreshold = 100.0;

    /// <summary>σ in both hidden layers (<c>--actf</c>).</summary>
    public Activation Activation { get; init; } = Activation.Tanh;

    /// <summary>r (<c>--r</c>): the first hidden width is L = r·K.</summary>
    public int Ratio { get; init; } = 2;

    /// <summary>K (<c>--K</c>): second hidden width; the student Wp is K×L.</summary>
    public int HiddenUnits { get; init; } = 16;

    /// <summary>D (generate.py's <c>dim_i</c>, hard-coded 3 there).</summary>
    public int InputDim { get; init; } = 3;

    /// <summary>|B| (<c>--bs</c>): samples per SGD step; the training set has BatchSize·BatchCount samples.</summary>
    public int BatchSize { get; init; } = 4;

    /// <summary>Batches per epoch (generate.py's hard-coded <c>n_batchs = 1000</c>); fixed order, no shuffling (§2).</summary>
    public int BatchCount { get; init; } = 1000;

    /// <summary>ε (<c>--lr</c>): plain SGD step size.</summary>
    public double LearningRate { get; init; } = 1.0;

    /// <summary>σ_W (<c>--Wp_sig</c>, "eps"): the student is drawn N(0, (eps/√L)²); the phase diagrams use 1/σ_W.</summary>
    public double StudentWidth { get; init; } = 1.0;

    /// <summary><c>--M_mu</c>: mean of the frozen first layer M (L×D).</summary>
    public double FirstLayerMean { get; init; }

    /// <summary><c>--M_sig</c>: M ~ N(M_mu, (M_sig/√D)²).</summary>
    public double FirstLayerWidth { get; init; } = 1.0;

    /// <summary><c>--W_mu</c>: mean of the teacher's second layer W (K×L).</summary>
    public double TeacherMean { get; init; }

    /// <summary><c>--W_sig</c>: W ~ N(W_mu, (W_sig/√L)²).</summary>
    public double TeacherWidth { get; init; } = 1.0;

    /// <summary><c>--Z_mu</c>: mean of the frozen read-out Z (O×K).</summary>
    public double ReadoutMean { get; init; }

    /// <summary><c>--Z_sig</c>: Z ~ N(Z_mu, (Z_sig/√K)²).</summary>
    public double ReadoutWidth { get; init; } = 1.0;

    /// <summary><c>--epochs</c>: passes over the training set; see <see cref="SaveSchedule"/> for which are saved.</summary>
    public int Epochs { get; init; } = 100_000;

    /// <summary>L = r·K, the first hidden width.</summary>
    public int FirstHiddenWidth => Ratio * HiddenUnits;

    /// <summary>Training samples, BatchSize·BatchCount (4 000 in the paper).</summary>
    public int SampleCount => BatchSize * BatchCount;

    /// <summary>T = ε/|B|, the paper's temperature (generate.py prints <c>lr/bs</c>).</summary>
    public double Temperature => LearningRate / BatchSize;

    /// <summary>SGD steps per model: Epochs·BatchCount.</summary>
    public long StepsPerModel => (long)Epochs * BatchCount;

    /// <summary>The save schedule of <see cref="Epochs"/>.</summary>
    public SaveSchedule Schedule => SaveSchedule.For(Epochs);

    /// <summary>Every problem with the parameters, one message each; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        RequirePositiveFinite(problems, "learning rate (--lr)", LearningRate);
        RequirePositiveFinite(problems, "student width (--eps / --Wp_sig)", StudentWidth);
        RequireNonNegativeFinite(problems, "first-layer width (--M_sig)", FirstLayerWidth);
        RequireNonNegativeFinite(problems, "teacher width (--W_sig)", TeacherWidth);
        RequireNonNegativeFinite(problems, "read-out width (--Z_sig)", ReadoutWidth);
        RequireFinite(problems, "first-layer mean (--M_mu)", FirstLayerMean);
        RequireFinite(problems, "teacher mean (--W_mu)", TeacherMean);
        RequireFinite(problems, "read-out mean (--Z_mu)", ReadoutMean);
        RequirePositive(problems, "ratio (--r)", Ratio);
        RequirePositive(problems, "hidden units (--K)", HiddenUnits);
        RequirePositive(problems, "input dimension", InputDim);
        RequirePositive(problems, "batch size (--bs)", BatchSize);
        RequirePositive(problems, "batch count", BatchCount);
        if (!Enum.IsDefined(Activation)) problems.Add($"activation {(int)Activation} is not tanh, relu or identity");
        if (SaveSchedule.Check(Epochs) is { } scheduleProblem) problems.Add(scheduleProblem);
        if (Ratio > 0 && HiddenUnits > 0 && (long)Ratio * HiddenUnits > MaxWidth)
            problems.Add($"first hidden width r·K = {(long)Ratio * HiddenUnits} exceeds {MaxWidth}");
        else if (Ratio > 0 && HiddenUnits > 0 && (long)(SaveSchedule.MaxSavePoints + 1) * HiddenUnits * Ratio * HiddenUnits > Array.MaxLength)
            problems.Add($"student too large: 21 history slots of K×L = {HiddenUnits}×{Ratio * HiddenUnits} values exceed one array");
        if (BatchSize > 0 && BatchCount > 0 && InputDim > 0 && Ratio > 0 && HiddenUnits > 0)
        {
            long samples = (long)BatchSize * BatchCount;
            long featureValues = samples * Math.Max(InputDim, (long)Ratio * HiddenUnits);
            if (featureValues > Array.MaxLength)
                problems.Add($"data set too large: {samples} samples × max(D, L) values exceed one array ({Array.MaxLength} elements)");
        }
        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem, if there is any.</summary>
    public void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0)
            throw new ArgumentException("invalid teacher-student configuration: " + string.Join("; ", problems));
    }

    // Widths beyond this make no sense for a per-thread SGD kernel and would overflow padded index arithmetic.
    private const int MaxWidth = 1 << 16;

    private static void RequirePositiveFinite(List<string> problems, string name, double value)
    {
        if (!double.IsFinite(value) || value <= 0.0) problems.Add($"{name} must be positive and finite, got {value}");
    }

    private static void RequireNonNegativeFinite(List<string> problems, string name, double value)
    {
        if (!double.IsFinite(value) || value < 0.0) problems.Add($"{name} must be finite and not negative, got {value}");
    }

    private static void RequireFinite(List<string> problems, string name, double value)
    {
        if (!double.IsFinite(value)) problems.Add($"{name} must be finite, got {value}");
    }

    private static void RequirePositive(List<string> problems, string name, int value)
    {
        if (value <= 0) problems.Add($"{name} must be positive, got {value}");
    }
}
