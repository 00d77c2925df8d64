using System.Globalization;

namespace SharpEdge.Sweeps;

/// <summary>
/// The values of an axis as flag text: numbers are written in their shortest round-trip form, so <c>1.0</c> and
/// <c>1</c> are the same task, and generated ranges are rounded to 12 significant digits, so a log range from
/// 0.125 by factors of 2 gives exactly 0.125, 0.25, …
/// </summary>
public static class AxisValues
{
    /// <summary>A number written plainly (not quoted) in its canonical form; other text as it is.</summary>
    public static string Canonical(string text)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
            || ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            return text.TrimStart('+');
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? Format(v) : text;
    }

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary><paramref name="count"/> points from <paramref name="low"/> to <paramref name="high"/> with a constant ratio.</summary>
    public static IReadOnlyList<string> LogByCount(double low, double high, int count)
    {
        if (!(low > 0) || !(high >= low) || !double.IsFinite(high)) throw new ArgumentException($"a log range needs 0 < low ≤ high, got [{low}, {high}]");
        if (count < 1) throw new ArgumentException($"a range needs num ≥ 1, got {count}");
        return Enumerable.Range(0, count).Select(i => Round(count == 1 ? low : low * Math.Pow(high / low, (double)i / (count - 1)))).ToList();
    }

    /// <summary>low, low·factor, low·factor², … up to <paramref name="high"/> (inclusive, to rounding).</summary>
    public static IReadOnlyList<string> LogByFactor(double low, double high, double factor)
    {
        if (!(low > 0) || !(high >= low) || !double.IsFinite(high)) throw new ArgumentException($"a log range needs 0 < low ≤ high, got [{low}, {high}]");
        if (!(factor > 1) || !double.IsFinite(factor)) throw new ArgumentException($"a log range needs factor > 1, got {factor}");
        int count = (int)Math.Floor(Math.Log(high / low) / Math.Log(factor) + 1e-9) + 1;
        return Enumerable.Range(0, count).Select(i => Round(low * Math.Pow(factor, i))).ToList();
    }

    /// <summary><paramref name="count"/> evenly spaced points from <paramref name="low"/> to <paramref name="high"/>.</summary>
    public static IReadOnlyList<string> Linear(double low, double high, int count)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high) || high < low) throw new ArgumentException($"a linear range needs low ≤ high, got [{low}, {high}]");
        if (count < 1) throw new ArgumentException($"a range needs num ≥ 1, got {count}");
        return Enumerable.Range(0, count).Select(i => Round(count == 1 ? low : low + (high - low) * i / (count - 1))).ToList();
    }

    /// <summary>Integers start, start + 1, …: seeds.</summary>
    public static IReadOnlyList<string> Count(long start, int count)
    {
        if (count < 1) throw new ArgumentException($"count must be ≥ 1, got {count}");
        return Enumerable.Range(0, count).Select(i => (start + i).ToString(CultureInfo.InvariantCulture)).ToList();
    }

    private static string Round(double v) => Format(double.Parse(v.ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
}
