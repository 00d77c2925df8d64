using System.Diagnostics;
using System.Numerics;
using SharpEdge.Nn;
using SharpEdge.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// The training state a measurement is a function of, and what measurements share. Required: the full-data
/// <see cref="Objective"/> and the parameters θ. Everything else is set by initialisers and validated there
/// (learning rate, batch size, training batch, momentum, θ₀, solver and Monte-Carlo settings, threads).
/// </summary>
/// <remarks>
/// The full-data objective of the curvature measurements, <see cref="Curvature"/>, is the mean over all samples, or
/// with <see cref="CurvatureSubset"/> = N over N samples drawn without replacement from the context's seed (the
/// original's λ_max subset, made explicit: eoss_spec §15.1.2). Monte-Carlo batches and the training batch come from
/// all samples, except for the measurements that combine batches with the full-data objective and rely on
/// E_B[g_B] = g (GNI, the one-step loss change, the second-moment contraction): theirs come from the same samples as
/// <see cref="Curvature"/> (<see cref="CurvatureSampler"/>).
/// Shared, computed on first use and kept for the context's life:
/// <list type="bullet">
/// <item>the linearization at θ: L(θ), g = ∇L(θ) and ‖g‖², with the objective's forward and backward passes
/// (one per chunk while they fit its cache budget), so every full-data H·v of every measurement costs one
/// R-forward and one R-backward. Eigensolves linearize without g (<see cref="LinearizeForProducts"/>); the first
/// measurement that reads g completes it with one more backward pass. The context owns the objective: nothing else may linearize it meanwhile;</item>
/// <item>one <see cref="BatchWorker{T}"/> per thread and the <see cref="BatchSequence"/> of Monte-Carlo batches
/// (sample i of every Monte-Carlo measurement is batch i);</item>
/// <item>eigenpairs per operator, so λ_max after top-k (or gradient projection after either) costs nothing, and
/// the <see cref="WarmStart"/> cache, which outlives the context.</item>
/// </list>
/// Random streams are forks of <see cref="Seed"/>: one for batches, one for trace probes, one for solver
/// start vectors, so a Monte-Carlo estimate depends on the seed only, not on threads or on which other
/// measurements ran (an eigenvalue may come from a solve shared with another measurement or warm-started from
/// an earlier one: equal to within the solver tolerance).
/// </remarks>
public sealed class MeasurementContext<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const ulong BatchStream = 1, ProbeStream = 2, SolverStream = 3, BatchSolverStream = 4, SubsetStream = 5;

    private readonly Dictionary<string, EigenResult> eigenpairs = [];
    private T[]? gradient;
    private BatchSampler<T>? sampler, curvatureSampler;
    private Objective<T>? curvature;
    private int[]? curvatureIndices;
    private Objective<T>? evaluator;
    private Objective<T>? trainingBatchObjective;
    private ILinearOperator? engineHessian, engineGaussNewton;   // the HessianEngine's operators at θ: linearized once per context

    public MeasurementContext(Objective<T> objective, ReadOnlyMemory<T> theta)
    {
        ArgumentNullException.ThrowIfNull(objective);
        if (theta.Length != objective.ParameterCount)
            throw new ArgumentException($"θ has {theta.Length} values, the model has {objective.ParameterCount} parameters", nameof(theta));
        for (int i = 0; i < theta.Length; i++)
            if (!T.IsFinite(theta.Span[i])) throw new ArgumentException($"θ holds a non-finite value ({theta.Span[i]}) at index {i}", nameof(theta));
        Objective = objective;
        Theta = theta;
    }

    /// <summary>The loss over all n samples, L(θ) = (1/n) Σᵢ ℓᵢ: Monte-Carlo batches and the training batch are drawn from its data.</summary>
    public Objective<T> Objective { get; }
    public ReadOnlyMemory<T> Theta { get; }
    /// <summary>All samples.</summary>
    public Samples<T> Data => Objective.Data;
    public int ParameterCount => Objective.ParameterCount;

    /// <summary>The learning rate η (one-step loss change, second-moment contraction).</summary>
    public double? LearningRate
    {
        get;
        init => field = value is null || (value > 0 && double.IsFinite(value.Value)) ? value
            : throw new ArgumentOutOfRangeException(nameof(LearningRate), value, "the learning rate must be positive and finite");
    }

    /// <summary>The batch size b of Monte-Carlo batches, in [1, n].</summary>
    public int? BatchSize
    {
        get;
        init => field = value is null || (value >= 1 && value <= Data.Count) ? value
            : throw new ArgumentOutOfRangeException(nameof(BatchSize), value, $"the batch size must be in [1, {Data.Count}] (the number of samples)");
    }

    /// <summary>The sample indices of the batch the next step trains on (step sharpness, step batch λ_max, batch Fisher).</summary>
    public int[]? TrainingBatch
    {
        get;
        init
        {
            if (value is not null)
            {
                if (value.Length == 0) throw new ArgumentException("the training batch is empty", nameof(TrainingBatch));
                foreach (var i in value)
                    if ((uint)i >= (uint)Data.Count) throw new ArgumentOutOfRangeException(nameof(TrainingBatch), i, $"training-batch index {i} is outside [0, {Data.Count})");
            }
            field = value;
        }
    }

    /// <summary>The optimiser's momentum buffer v (PyTorch's <c>momentum_buffer</c>); empty means none, i.e. zero.</summary>
    public ReadOnlyMemory<T> MomentumBuffer
    {
        get;
        init => field = value.IsEmpty || value.Length == ParameterCount ? value
            : throw new ArgumentException($"the momentum buffer has {value.Length} values, the model has {ParameterCount} parameters", nameof(MomentumBuffer));
    }

    /// <summary>The momentum coefficient μ.</summary>
    public double Momentum
    {
        get;
        init => field = value >= 0 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(Momentum), value, "the momentum must be finite and non-negative");
    }

    /// <summary>θ₀, the parameters at initialisation; empty when not known.</summary>
    public ReadOnlyMemory<T> InitialParameters
    {
        get;
        init => field = value.IsEmpty || value.Length == ParameterCount ? value
            : throw new ArgumentException($"the initial parameters have {value.Length} values, the model has {ParameterCount} parameters", nameof(InitialParameters));
    }

    /// <summary>
    /// The number of samples of the full-data objective of curvature measurements (<see cref="Curvature"/>), drawn
    /// without replacement from the context's seed; 0 (the default) or at least n means all samples.
    /// </summary>
    public int CurvatureSubset
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(CurvatureSubset), value, "the curvature subset must be ≥ 0 (0 = all samples)");
    }

    /// <summary>Whether curvature measurements see a subset rather than all samples.</summary>
    public bool HasCurvatureSubset => CurvatureSubset > 0 && CurvatureSubset < Data.Count;

    /// <summary>
    /// An objective over a buffer of <see cref="CurvatureSubset"/> samples (<see cref="CreateSubsetWorkspace"/>) that the
    /// subset is gathered into instead of a fresh one: pass the same at every step, so its buffers and cached passes
    /// (hundreds of MiB for a large model) are allocated once.
    /// </summary>
    public Objective<T>? SubsetWorkspace { get; init; }

    /// <summary>An objective for <see cref="SubsetWorkspace"/>: <paramref name="count"/> samples of <paramref name="full"/>'s data, its network, loss and chunking.</summary>
    public static Objective<T> CreateSubsetWorkspace(Objective<T> full, int count)
    {
        ArgumentNullException.ThrowIfNull(full);
        return new Objective<T>(full.Network, full.Loss, full.Data.CreateBuffer(count), full.ChunkSize, full.CacheBudgetBytes);
    }

    /// <summary>
    /// The full-data objective of curvature measurements (λ_max, top-k, trace, GNI's H and g …): <see cref="Objective"/>,
    /// or with <see cref="CurvatureSubset"/> the loss over that many samples of it, drawn on first use.
    /// </summary>
    public Objective<T> Curvature => curvature ??= HasCurvatureSubset ? SubsetObjective() : Objective;

    private Objective<T> SubsetObjective()
    {
        if (SubsetWorkspace is not { } workspace)
            return new Objective<T>(Objective.Network, Objective.Loss, Data.Gather(CurvatureIndices), Objective.ChunkSize, Objective.CacheBudgetBytes);
        if (workspace.Data.Count != CurvatureSubset || workspace.Network != Objective.Network)
            throw new InvalidOperationException($"the subset workspace holds {workspace.Data.Count} samples of {(workspace.Network == Objective.Network ? "this" : "another")} network; the context needs {CurvatureSubset} of this one");
        Data.GatherInto(CurvatureIndices, workspace.Data);
        return workspace;
    }

    /// <summary>The sample indices of <see cref="Curvature"/>, ascending: N of them drawn without replacement from the seed, or all.</summary>
    public ReadOnlySpan<int> CurvatureIndices => curvatureIndices ??= HasCurvatureSubset ? DrawSubset(Data.Count, CurvatureSubset, Stream(SubsetStream)) : [.. Enumerable.Range(0, Data.Count)];

    /// <summary>The first <paramref name="count"/> of a uniform random permutation of [0, n) (partial Fisher–Yates), sorted.</summary>
    private static int[] DrawSubset(int n, int count, Rng rng)
    {
        var all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        for (int i = 0; i < count; i++)
        {
            int j = rng.NextInt(i, n);
            (all[i], all[j]) = (all[j], all[i]);
        }
        var subset = all[..count];
        Array.Sort(subset);   // the data's own order: the mean is the same, the gather reads forward
        return subset;
    }

    /// <summary>Seed of every random stream of the context.</summary>
    public ulong Seed { get; init; }

    /// <summary>The eigensolver of full-data eigenvalues (<see cref="EigenMethod.Auto"/>: dense up to 200 parameters, else Lanczos).</summary>
    public EigenMethod Method { get; init; } = EigenMethod.Auto;

    /// <summary>Relative residual tolerance of eigensolves (<see cref="RitzConvergence"/>); default 1e-6 in float64, 1e-4 in float32.</summary>
    public double? Tolerance
    {
        get;
        init => field = value is null || (value > 0 && double.IsFinite(value.Value)) ? value
            : throw new ArgumentOutOfRangeException(nameof(Tolerance), value, "the tolerance must be positive and finite");
    }

    /// <summary>The tolerance in force.</summary>
    public double EigenTolerance => Tolerance ?? (typeof(T) == typeof(float) ? 1e-4 : 1e-6);

    /// <summary>Tolerance of the per-batch solves of batch λ_max, where the spread over batches dwarfs solver error.</summary>
    public double BatchTolerance
    {
        get;
        init => field = value > 0 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(BatchTolerance), value, "the tolerance must be positive and finite");
    } = 1e-3;

    /// <summary>The eigensolver's iteration cap (its own default when null).</summary>
    public int? MaxEigenIterations { get; init; }

    /// <summary>Overrides of each Monte-Carlo measurement's default stopping rule.</summary>
    public MonteCarloSettings MonteCarlo { get; init; } = new();

    /// <summary>Monte-Carlo workers (threads); default <see cref="Parallelism.Threads"/>.</summary>
    public int Threads
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Threads), value, "at least one thread");
    } = Parallelism.Threads;

    /// <summary>Warm starts carried from call to call; pass the same instance at every step.</summary>
    public EigenvectorCache WarmStart { get; init; } = new();

    /// <summary>Progress lines (solver summaries); null for silence.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Seconds spent in the shared linearization at θ (charged to no measurement).</summary>
    public double LinearizationSeconds { get; private set; }

    /// <summary>Whether a measurement has linearized <see cref="Curvature"/> at θ (so <see cref="Loss"/> is free).</summary>
    public bool IsLinearized { get; private set; }

    /// <summary>Whether g = ∇L(θ) has been computed (eigenvalue-only measurements skip it).</summary>
    public bool HasGradient => gradient is not null;

    /// <summary>L(θ) over the samples of <see cref="Curvature"/>.</summary>
    public double Loss { get { LinearizeForProducts(); return Curvature.LinearizationLoss; } }

    /// <summary>g = ∇L(θ) over the samples of <see cref="Curvature"/>.</summary>
    public ReadOnlySpan<T> Gradient => Linearize();

    /// <summary>‖g‖², summed in float64.</summary>
    public double GradientNormSquared { get { Linearize(); return field; } private set; }

    /// <summary>
    /// Linearizes <see cref="Curvature"/> at θ for products (H·v, G·v, J v) without the parameter gradient, which an
    /// eigensolve never reads: about half the cost of a gradient for MLPs. Later calls do nothing.
    /// </summary>
    internal void LinearizeForProducts()
    {
        if (IsLinearized) return;
        var clock = Stopwatch.StartNew();
        Curvature.Linearize(Theta, default);
        IsLinearized = true;
        LinearizationSeconds += clock.Elapsed.TotalSeconds;
    }

    /// <summary>Linearizes <see cref="Curvature"/> at θ with its gradient once (completing a products-only linearization); later calls return the kept gradient.</summary>
    internal T[] Linearize()
    {
        if (gradient is not null) return gradient;
        var clock = Stopwatch.StartNew();
        var g = new T[ParameterCount];
        if (IsLinearized) Curvature.CompleteGradient(g);
        else Curvature.Linearize(Theta, g);
        IsLinearized = true;
        GradientNormSquared = Dot(g, g);
        gradient = g;
        LinearizationSeconds += clock.Elapsed.TotalSeconds;
        return g;
    }

    /// <summary>The Monte-Carlo machinery over all samples: one worker per thread and the shared batch sequence (needs <see cref="BatchSize"/>).</summary>
    public BatchSampler<T> Sampler => sampler ??= CreateSampler(Objective);

    /// <summary>
    /// Monte-Carlo batches from the samples of <see cref="Curvature"/>, for estimators that combine batches with the
    /// full-data objective and need E_B[g_B] = g (GNI, the one-step loss change); <see cref="Sampler"/> without a subset.
    /// </summary>
    public BatchSampler<T> CurvatureSampler => HasCurvatureSubset ? curvatureSampler ??= CreateSampler(Curvature) : Sampler;

    private BatchSampler<T> CreateSampler(Objective<T> source)
    {
        var b = BatchSize ?? throw new InvalidOperationException("Monte-Carlo measurements need the batch size b");
        if (b > source.Data.Count) throw new ArgumentException($"the batch size {b} exceeds the curvature subset of {source.Data.Count} samples");
        var workers = new BatchWorker<T>[Threads];
        for (int w = 0; w < workers.Length; w++) workers[w] = new BatchWorker<T>(source, b);
        return new BatchSampler<T>(workers, new BatchSequence(source.Data.Count, b, Stream(BatchStream)));
    }

    /// <summary>
    /// A second objective over the samples of <see cref="Curvature"/> for L at points other than θ (the one-step loss
    /// change): evaluating the shared objective elsewhere would discard its linearization. Holds one chunk's forward pass.
    /// </summary>
    public Objective<T> Evaluator => evaluator ??= new Objective<T>(Curvature.Network, Curvature.Loss, Curvature.Data, Curvature.ChunkSize, cacheBudgetBytes: 0);

    /// <summary>L_B over the <see cref="TrainingBatch"/>.</summary>
    public Objective<T> TrainingBatchObjective
    {
        get
        {
            if (trainingBatchObjective is not null) return trainingBatchObjective;
            var batch = TrainingBatch ?? throw new InvalidOperationException("this measurement needs the training batch");
            return trainingBatchObjective = new Objective<T>(Objective.Network, Objective.Loss, Data.Gather(batch), batch.Length);
        }
    }

    /// <summary>A random stream of the context: a fork of <see cref="Seed"/>, independent of every other stream.</summary>
    internal Rng Stream(ulong stream) => new Rng(Seed).Fork(stream);

    /// <summary>Seed for trace probes.</summary>
    internal Rng ProbeRandom() => Stream(ProbeStream);

    /// <summary>Start-vector seed of the batch solve of Monte-Carlo sample <paramref name="sample"/>.</summary>
    internal ulong BatchSolverSeed(int sample) => Stream(BatchSolverStream).Fork((ulong)sample).NextUInt64();

    /// <summary>The stopping rule of a Monte-Carlo measurement: its default with <see cref="MonteCarlo"/> applied.</summary>
    public StoppingRule Stopping(StoppingRule defaults) => MonteCarlo.Apply(defaults);

    /// <summary>Solver settings for full-data eigenvalues, warm-started from <paramref name="warmStart"/>.</summary>
    public EigenOptions SolverOptions(IReadOnlyList<double[]>? warmStart = null) => new()
    {
        Method = Method,
        Tolerance = EigenTolerance,
        Seed = Stream(SolverStream).NextUInt64(),
        MaxIterations = MaxEigenIterations,
        ReturnVectors = true,
        InitialVectors = warmStart,
    };

    /// <summary>
    /// The top <paramref name="k"/> eigenpairs of the operator named <paramref name="key"/>, built by
    /// <paramref name="create"/> on first use: solved once per context (a later request for as many or fewer is
    /// served from the first, <c>Shared</c> = true), warm-started from and stored into <see cref="WarmStart"/>.
    /// </summary>
    public (EigenResult Result, bool Shared) TopEigenpairs(string key, Func<ILinearOperator> create, int k) => TopEigenpairs(key, create, k, linearizeHere: true);

    /// <summary>
    /// The top <paramref name="k"/> eigenpairs of the full-data Hessian of <see cref="Curvature"/> at θ: on the
    /// <see cref="HessianEngine"/> when one is set (which linearizes on its own), else by the CPU engine's R-operator.
    /// </summary>
    public (EigenResult Result, bool Shared) HessianEigenpairs(int k) => EngineHessian is { } onEngine
        ? TopEigenpairs(EigenvectorCache.Hessian, () => onEngine, k, linearizeHere: false)
        : TopEigenpairs(EigenvectorCache.Hessian, () => new HessianOperator<T>(Curvature), k, linearizeHere: true);

    /// <summary>The full-data Hessian at θ on <see cref="HessianEngine"/> (linearized there on first use), or null without one.</summary>
    public ILinearOperator? EngineHessian => HessianEngine is { } engine ? engineHessian ??= engine.LinearizedHessian(ThetaAsDouble()) : null;

    /// <summary>
    /// The top <paramref name="k"/> eigenpairs of the full-data Gauss-Newton matrix of <see cref="Curvature"/> at θ: on
    /// the <see cref="HessianEngine"/> when one is set, else by the CPU engine's R-forward and backward.
    /// </summary>
    public (EigenResult Result, bool Shared) GaussNewtonEigenpairs(int k) => HessianEngine is { } engine
        ? TopEigenpairs(EigenvectorCache.GaussNewton, () => engineGaussNewton ??= engine.LinearizedGaussNewton(ThetaAsDouble()), k, linearizeHere: false)
        : TopEigenpairs(EigenvectorCache.GaussNewton, () => new GaussNewtonOperator<T>(Curvature), k, linearizeHere: true);

    /// <summary>Where the eigen-measurements of H and G run when not on the CPU engine (a GPU); it holds the samples of <see cref="Curvature"/>. Set before the first measurement.</summary>
    public IHessianEngine? HessianEngine { get; set; }

    /// <summary>Where batch sharpness evaluates its batches when not on the CPU workers (a GPU), for batches of <see cref="BatchSize"/> samples.</summary>
    public IBatchCurvatureEngine<T>? BatchEngine { get; set; }

    /// <summary>
    /// (g_Bᵀ H_B g_B, ‖g_B‖²) of Monte-Carlo batches 0, 1, … at θ, with <paramref name="gaussNewton"/> (g_Bᵀ G_B g_B, ‖g_B‖²):
    /// on <see cref="BatchEngine"/> when set (one batch at a time, the same batches), else on the workers' CPU engines
    /// in parallel; the Hessian's form stays on the workers where they have the faster Gram path
    /// (<see cref="EngineMeasurements.CpuHasGramPath"/>).
    /// </summary>
    public BatchSampler<T>.SampleStream CurvatureAlongGradientStream(int maxSamples, bool gaussNewton = false)
    {
        if (BatchEngine is not { } engine || (!gaussNewton && EngineMeasurements.CpuHasGramPath(Objective.Network, BatchSize ?? int.MaxValue)))
            return Sampler.Stream(gaussNewton ? GaussNewtonBatchSharpness.CurvatureSample(Theta) : BatchSharpness.CurvatureSample(Theta), 2, maxSamples);
        engine.SetParameters(ThetaAsDouble());
        return Sampler.Stream((worker, _, values) =>
        {
            var (curvature, norm) = engine.CurvatureAlongGradient(worker.Batch, gaussNewton);
            values[0] = curvature;
            values[1] = norm;
        }, 2, maxSamples, maxWorkers: 1);
    }

    private double[] ThetaAsDouble()
    {
        var values = new double[Theta.Length];
        for (int i = 0; i < values.Length; i++) values[i] = double.CreateTruncating(Theta.Span[i]);
        return values;
    }

    private (EigenResult Result, bool Shared) TopEigenpairs(string key, Func<ILinearOperator> create, int k, bool linearizeHere)
    {
        if (eigenpairs.TryGetValue(key, out var known) && known.Values.Length >= k)
            return (Trim(known, k), true);
        if (linearizeHere) LinearizeForProducts();
        var op = create();
        var result = EigenSolvers.TopK(op, k, SolverOptions(WarmStart.Get(key, op.Size)));
        if (result.Vectors is { } vectors) WarmStart.Store(key, vectors.Select(v => (double[])v.Clone()).ToArray());
        eigenpairs[key] = result;
        Log?.Invoke($"{key}: top {k} eigenvalue{(k > 1 ? "s" : "")} {string.Join(", ", result.Values.Select(v => v.ToString("G6")))} " +
                    $"({result.Products} products, {result.Iterations} iterations, {result.Seconds:F2} s{(result.Converged ? "" : ", NOT converged")})");
        return (result, false);
    }

    private static EigenResult Trim(EigenResult r, int k) => r.Values.Length == k ? r
        : r with { Values = r.Values[..k], Vectors = r.Vectors?[..k], Residuals = r.Residuals[..k] };

    /// <summary>Throws if any of <paramref name="measurements"/> needs an input this context lacks, naming both.</summary>
    public void Validate(IEnumerable<IMeasurement> measurements)
    {
        ArgumentNullException.ThrowIfNull(measurements);
        foreach (var m in measurements)
        {
            var missing = Missing(m.Needs);
            if (missing.Count > 0) throw new ArgumentException($"{m.Name} needs {string.Join(" and ", missing)}");
        }
    }

    private List<string> Missing(MeasurementNeeds needs)
    {
        var missing = new List<string>();
        if (needs.HasFlag(MeasurementNeeds.LearningRate) && LearningRate is null) missing.Add("the learning rate η (LearningRate)");
        if (needs.HasFlag(MeasurementNeeds.BatchSize) && BatchSize is null) missing.Add("the batch size b (BatchSize)");
        if (needs.HasFlag(MeasurementNeeds.TrainingBatch) && TrainingBatch is null) missing.Add("the current training batch (TrainingBatch)");
        if (needs.HasFlag(MeasurementNeeds.InitialParameters) && InitialParameters.IsEmpty) missing.Add("the initial parameters θ₀ (InitialParameters)");
        return missing;
    }

    /// <summary>xᵀy summed in float64.</summary>
    internal static double Dot(ReadOnlySpan<T> x, ReadOnlySpan<T> y) => Float64Dot.Of(x, y);
}
