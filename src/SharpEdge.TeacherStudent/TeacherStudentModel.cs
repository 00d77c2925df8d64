using SharpEdge.Numerics;

namespace SharpEdge.TeacherStudent;

/// <summary>
/// One ensemble member before training: the frozen first layer M, the teacher W, the frozen read-out Z, the
/// training inputs, their noiseless teacher labels and the initial student Wp (phase_ml_spec §1.2, §1.5, §2).
/// All matrices are row-major (C order).
/// </summary>
/// <remarks>
/// Drawn from <c>new Rng(seed)</c> in the original's order — M (L·D), W (K·L), Z (O·K), x_data (N·D), Wp (K·L),
/// each element <c>mean + width·NextNormal()</c> like NumPy's <c>normal(loc, scale)</c>. Our generator is
/// xoshiro256** with polar-method normals, not NumPy's MT19937 stream, so a seed does not reproduce a NumPy
/// run bit for bit (the original is unseeded anyway, §8.2.4); the distributions are the same, so ensembles
/// agree statistically. A model is a pure function of (seed, sizes and widths), so any member can be
/// regenerated from its recorded seed.
/// </remarks>
public sealed class TeacherStudentModel
{
    private TeacherStudentModel(TeacherStudentConfig config, long seed)
    {
        Config = config;
        Seed = seed;
        int d = config.InputDim, l = config.FirstHiddenWidth, k = config.HiddenUnits;
        FirstLayer = new double[l * d];
        Teacher = new double[k * l];
        Readout = new double[TeacherStudentConfig.OutputDim * k];
        Inputs = new double[config.SampleCount * d];
        InitialStudent = new double[k * l];
        Labels = new double[config.SampleCount * TeacherStudentConfig.OutputDim];
    }

    /// <summary>
    /// Draws the model for <paramref name="seed"/> (≥ 0) and computes the teacher labels; with <paramref name="features"/>
    /// (N×L) also keeps there the φ1 = σ(M x) of every training sample that the labels are computed from, which stays
    /// fixed during training (M is frozen), so a trainer need not compute it again. The model does not hold φ1: at
    /// 1,000 batches it is 1 MB per model, which a finished ensemble should not carry.
    /// </summary>
    public static TeacherStudentModel Generate(TeacherStudentConfig config, long seed, Span<double> features = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(seed);
        var model = new TeacherStudentModel(config, seed);
        var rng = new Rng((ulong)seed);
        int d = config.InputDim, l = config.FirstHiddenWidth, k = config.HiddenUnits;
        // Scales as in generate.py: width/√(fan-in) of the layer the matrix reads (§1.2).
        rng.FillNormal(model.FirstLayer, config.FirstLayerMean, config.FirstLayerWidth / Math.Sqrt(d));
        rng.FillNormal(model.Teacher, config.TeacherMean, config.TeacherWidth / Math.Sqrt(l));
        rng.FillNormal(model.Readout, config.ReadoutMean, config.ReadoutWidth / Math.Sqrt(k));
        rng.FillNormal(model.Inputs, 0.0, 1.0);
        // The student's mean is always 0, not W_mu (§1.2).
        rng.FillNormal(model.InitialStudent, 0.0, config.StudentWidth / Math.Sqrt(l));

        bool keep = !features.IsEmpty;
        if (keep && features.Length != config.SampleCount * l)
            throw new ArgumentException($"φ1 of {config.SampleCount} samples needs {config.SampleCount * l} values, got {features.Length}", nameof(features));
        var network = new TeacherStudentNetwork(config, model.FirstLayer, model.Readout);
        var scratch = keep ? null : new double[l];
        var hidden = new double[k];
        for (int n = 0; n < config.SampleCount; n++)
        {
            var phi = keep ? features.Slice(n * l, l) : scratch;
            network.Features(model.Inputs.AsSpan(n * d, d), phi);
            model.Labels[n] = network.Output(model.Teacher, phi, hidden);
        }
        return model;
    }

    public TeacherStudentConfig Config { get; }

    /// <summary>The seed the model was drawn from.</summary>
    public long Seed { get; }

    /// <summary>M, L×D, frozen and shared by teacher and student.</summary>
    public double[] FirstLayer { get; }

    /// <summary>The teacher's W, K×L.</summary>
    public double[] Teacher { get; }

    /// <summary>Z, O×K (O = 1), frozen and shared.</summary>
    public double[] Readout { get; }

    /// <summary>x_data, N×D, N = BatchSize·BatchCount; batch b is rows [b·bs, (b+1)·bs).</summary>
    public double[] Inputs { get; }

    /// <summary>y_data = teacher(x_data), N×O, noiseless (§1.5).</summary>
    public double[] Labels { get; }

    /// <summary>The student Wp before training, K×L.</summary>
    public double[] InitialStudent { get; }
}
