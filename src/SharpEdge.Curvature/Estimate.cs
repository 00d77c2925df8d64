namespace SharpEdge.Curvature;

/// <summary>
/// A measured quantity: <see cref="Value"/> ± <see cref="StandardError"/> (null when the value is exact, up to
/// rounding), from <see cref="Samples"/> independent draws, at a cost of <see cref="Products"/> operator
/// products (HVPs) and <see cref="Seconds"/> of wall time (design.md, "Estimate").
/// </summary>
public sealed record Estimate(double Value, double? StandardError, int Samples, int Products, double Seconds)
{
    /// <summary>An exact value (no standard error).</summary>
    public static Estimate Exact(double value, int products = 0, double seconds = 0) => new(value, null, 1, products, seconds);

    /// <summary>SE/|value|; null when exact, infinite when the value is 0 with a positive SE.</summary>
    public double? RelativeStandardError => StandardError is double se ? (se == 0 ? 0 : se / Math.Abs(Value)) : null;

    /// <summary>The normal-approximation interval value ± z·SE (z = 1.96 for 95 %); a point when exact.</summary>
    public (double Low, double High) ConfidenceInterval(double z = 1.959963984540054)
    {
        double half = z * (StandardError ?? 0);
        return (Value - half, Value + half);
    }
}
