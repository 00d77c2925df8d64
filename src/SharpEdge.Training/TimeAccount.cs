using System.Diagnostics;
using System.Globalization;

namespace SharpEdge.Training;

/// <summary>
/// One entry of a <see cref="TimeAccount"/>: how often it ran, its products (H·v or operator products; those of the first
/// call apart, since later eigensolves are warm-started), Monte-Carlo samples and seconds.
/// </summary>
public sealed record TimeShare(string Name, int Calls, long Products, long Samples, double Seconds, long FirstProducts = 0);

/// <summary>
/// Where a training session's time went: the SGD steps, each measurement and the linearizations the measurements of a
/// step share, so a slow run shows its cause (a λ_max solve needing many products, a costly Monte-Carlo sample).
/// </summary>
public sealed class TimeAccount
{
    /// <summary>The entry of the training steps (loss, gradient and update).</summary>
    public const string Steps = "steps";
    /// <summary>The entry of the full-data linearizations shared by the measurements of a step.</summary>
    public const string Linearization = "linearization";

    private readonly Dictionary<string, TimeShare> shares = [];
    private long stepTicks;
    private int stepCount;

    /// <summary>Adds one training step of <paramref name="ticks"/> <see cref="Stopwatch"/> ticks (allocation-free: the hot loop calls it).</summary>
    public void AddStep(long ticks)
    {
        stepTicks += ticks;
        stepCount++;
    }

    /// <summary>Adds one call of <paramref name="name"/>.</summary>
    public void Add(string name, long products, long samples, double seconds)
    {
        var old = shares.GetValueOrDefault(name) ?? new TimeShare(name, 0, 0, 0, 0, products);
        shares[name] = old with { Calls = old.Calls + 1, Products = old.Products + products, Samples = old.Samples + samples, Seconds = old.Seconds + seconds };
    }

    /// <summary>The steps first, then every other entry in the order first seen.</summary>
    public IReadOnlyList<TimeShare> Shares =>
        [new TimeShare(Steps, stepCount, 0, 0, (double)stepTicks / Stopwatch.Frequency), .. shares.Values];

    /// <summary>One line: each entry's seconds with its per-call cost.</summary>
    public string Summary() => string.Join("; ", Shares.Where(s => s.Calls > 0).Select(Describe));

    private static string Describe(TimeShare s)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{s.Name} {s.Seconds:F1} s");
        if (s.Name == Steps) return string.Create(CultureInfo.InvariantCulture, $"{text} ({s.Calls} × {1e3 * s.Seconds / s.Calls:F2} ms)");
        // Monte-Carlo estimates: samples and the cost of one; eigensolves and the rest: products (the first cold) and the cost of one call
        var products = s.Products > 0 ? string.Create(CultureInfo.InvariantCulture, $"{(double)s.Products / s.Calls:F1} products, the first {s.FirstProducts}, ") : "";
        var each = s.Samples > s.Calls
            ? string.Create(CultureInfo.InvariantCulture, $"{(double)s.Samples / s.Calls:F0} samples, {1e3 * s.Seconds / s.Samples:F2} ms per sample")
            : products + string.Create(CultureInfo.InvariantCulture, $"{s.Seconds / s.Calls:F2} s each");
        return $"{text} ({s.Calls} × {each})";
    }
}
