using System.Globalization;
using System.Text;

namespace SharpEdge.Plots;

/// <summary>A tick on an axis, at an axis position (exponent space on log axes); minor ticks have no label.</summary>
internal readonly record struct Tick(double Position, string? Label);

/// <summary>
/// Ticks for a log axis drawn in exponent space: majors at integer powers labelled 10ⁿ / 2ⁿ (every k-th power
/// when there are many), minors at 2..9 × 10ⁿ. A range narrower than two powers gets 1-2-5 (log10) or evenly
/// spaced ticks labelled with plain numbers instead, so a zoomed-in axis still has labels.
/// </summary>
internal static class LogTicks
{
    public static IReadOnlyList<Tick> For(AxisScale scale, double low, double high, int maxMajor = 8)
    {
        if (!scale.IsLog()) throw new ArgumentException("log ticks need a log axis", nameof(scale));
        if (!(high > low)) throw new ArgumentException($"empty axis range [{low}, {high}]");
        const double eps = 1e-9;
        int first = (int)Math.Ceiling(low - eps), last = (int)Math.Floor(high + eps);
        var ticks = new List<Tick>();
        if (last - first + 1 >= 2)
        {
            int count = last - first + 1;
            int step = (int)Math.Ceiling(count / (double)maxMajor);
            for (int k = first; k <= last; k++)
            {
                bool major = ((k % step) + step) % step == 0;
                ticks.Add(new Tick(k, major ? Power(scale.Base(), k) : null));
            }
            if (scale == AxisScale.Log10 && step == 1)
                for (int k = first - 1; k <= last; k++)
                    for (int m = 2; m <= 9; m++)
                    {
                        double p = k + Math.Log10(m);
                        if (p >= low - eps && p <= high + eps) ticks.Add(new Tick(p, null));
                    }
            return ticks;
        }
        // Narrow range: plain-number labels.
        if (scale == AxisScale.Log10)
        {
            foreach (int[] mantissas in new[] { new[] { 1, 2, 5 }, new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 } })
            {
                ticks.Clear();
                for (int k = first - 1; k <= last; k++)
                    foreach (int m in mantissas)
                    {
                        double p = k + Math.Log10(m);
                        if (p >= low - eps && p <= high + eps) ticks.Add(new Tick(p, Plain(m * Math.Pow(10, k))));
                    }
                if (ticks.Count >= 3) return ticks;
            }
        }
        ticks.Clear();
        for (int i = 0; i <= 4; i++)
        {
            double p = low + (high - low) * i / 4;
            ticks.Add(new Tick(p, Plain(scale.FromAxis(p))));
        }
        return ticks;
    }

    /// <summary>"10⁻³", "2⁵": base and superscript exponent.</summary>
    public static string Power(int @base, int exponent)
    {
        var s = new StringBuilder(@base.ToString(CultureInfo.InvariantCulture));
        foreach (char c in exponent.ToString(CultureInfo.InvariantCulture))
            s.Append(c == '-' ? '⁻' : "⁰¹²³⁴⁵⁶⁷⁸⁹"[c - '0']);
        return s.ToString();
    }

    private static string Plain(double value) => value.ToString("G3", CultureInfo.InvariantCulture);
}
