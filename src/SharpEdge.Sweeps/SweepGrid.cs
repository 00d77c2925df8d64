namespace SharpEdge.Sweeps;

/// <summary>
/// Points (x, y, value) of a sweep gathered on the grid of their distinct x and y values, with the median of
/// the values at each grid point (over seeds and any other axis not drawn) and how many there were.
/// <c>Median[j, i]</c> belongs to <c>(X[i], Y[j])</c>; NaN where no finite value fell.
/// </summary>
public sealed record SweepGrid(double[] X, double[] Y, double[,] Median, int[,] Count)
{
    public static SweepGrid Build(IEnumerable<(double X, double Y, double Value)> points)
    {
        var list = points.ToList();
        if (list.Count == 0) throw new ArgumentException("no points to grid");
        var xs = list.Select(p => p.X).Distinct().Order().ToArray();
        var ys = list.Select(p => p.Y).Distinct().Order().ToArray();
        var median = new double[ys.Length, xs.Length];
        var count = new int[ys.Length, xs.Length];
        foreach (var cell in list.Where(p => double.IsFinite(p.Value)).GroupBy(p => (p.X, p.Y)))
        {
            int i = Array.BinarySearch(xs, cell.Key.X), j = Array.BinarySearch(ys, cell.Key.Y);
            var values = cell.Select(p => p.Value).ToArray();
            median[j, i] = MedianOf(values);
            count[j, i] = values.Length;
        }
        for (int j = 0; j < ys.Length; j++)
            for (int i = 0; i < xs.Length; i++)
                if (count[j, i] == 0) median[j, i] = double.NaN;
        return new SweepGrid(xs, ys, median, count);
    }

    /// <summary>The middle value, or the mean of the two middle ones.</summary>
    public static double MedianOf(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        int m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }
}
