namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// What one measurement returns. <see cref="Value"/> is the headline estimate and carries the measurement's
/// whole cost (products, seconds). A vector quantity also fills <see cref="Vector"/> (top-k: λ₁ … λ_k, with
/// headline λ₁; gradient projection: the cumulative fractions, with headline the fraction onto all k).
/// <see cref="Parts"/> are further named estimates (the max of batch λ_max); <see cref="Details"/> are solver
/// facts worth reporting (converged, iterations). <see cref="Metrics"/> flattens it into stored metrics: the
/// headline under the metric name, or, for a vector, its entries as <c>name_1 … name_k</c> (the cost on the
/// first); parts as <c>name_part</c>.
/// </summary>
public sealed record MeasurementResult
{
    public MeasurementResult(string name, Estimate value, double[]? vector = null, IReadOnlyList<MeasurementPart>? parts = null,
        IReadOnlyDictionary<string, object>? details = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        Name = name;
        Value = value;
        Vector = vector;
        Parts = parts ?? [];
        Details = details ?? new Dictionary<string, object>();
    }

    /// <summary>The kebab-case measurement name.</summary>
    public string Name { get; }
    public Estimate Value { get; }
    public double[]? Vector { get; }
    public IReadOnlyList<MeasurementPart> Parts { get; }
    public IReadOnlyDictionary<string, object> Details { get; }

    /// <summary>
    /// An exact result from an eigensolve: the top value (or the top <paramref name="k"/> as a vector), the solve's
    /// products and seconds (zero when <paramref name="shared"/>: an earlier measurement of the context paid for
    /// it), and the solver facts as details.
    /// </summary>
    public static MeasurementResult FromEigenpairs(string name, EigenResult result, bool shared, int? k = null, double scale = 1)
    {
        ArgumentNullException.ThrowIfNull(result);
        var estimate = Estimate.Exact(scale * result.Values[0], shared ? 0 : result.Products, shared ? 0 : result.Seconds);
        var details = new Dictionary<string, object>
        {
            ["converged"] = result.Converged,
            ["iterations"] = result.Iterations,
            ["residual"] = result.Residuals.Length > 0 ? scale * result.Residuals.Max() : 0.0,
        };
        if (shared) details["shared"] = true;
        return new MeasurementResult(name, estimate, k is null ? null : result.Values.Take(k.Value).Select(v => scale * v).ToArray(), details: details);
    }

    /// <summary>Every scalar as (snake_case metric name, estimate), for a results table or the run store.</summary>
    public IEnumerable<(string Metric, Estimate Estimate)> Metrics()
    {
        var metric = MeasurementRegistry.MetricName(Name);
        if (Vector is null) yield return (metric, Value);
        else
            for (int i = 0; i < Vector.Length; i++)
                yield return ($"{metric}_{i + 1}", i == 0 ? Estimate.Exact(Vector[0], Value.Products, Value.Seconds) : Estimate.Exact(Vector[i]));
        foreach (var part in Parts) yield return ($"{metric}_{part.Suffix}", part.Estimate);
    }
}

/// <summary>A secondary estimate of a measurement, stored as <c>metric_suffix</c>.</summary>
public sealed record MeasurementPart(string Suffix, Estimate Estimate);
