namespace SharpEdge.Plots;

/// <summary>
/// Contour lines of a field sampled on a grid (marching squares). Between neighbouring grid points the field is
/// interpolated linearly, as matplotlib's <c>contour</c> does; a square with a NaN or masked corner has no contour
/// (the masked contour of the phase-diagram figures). A saddle square is resolved by the mean of its corners.
/// Segments are joined into polylines, so dashed patterns run continuously along a line.
/// </summary>
internal static class ContourTracer
{
    /// <summary>Polylines at <paramref name="level"/> in grid coordinates (column, row), fractional between points.</summary>
    public static List<List<(double Column, double Row)>> Trace(double[,] field, double level, bool[,]? mask = null)
    {
        int rows = field.GetLength(0), columns = field.GetLength(1);
        if (mask is not null && (mask.GetLength(0) != rows || mask.GetLength(1) != columns))
            throw new ArgumentException($"contour mask is {mask.GetLength(0)}x{mask.GetLength(1)} but the field is {rows}x{columns}");
        double Value(int r, int c) => mask is not null && mask[r, c] ? double.NaN : field[r, c];

        // Edge ids: 2·(r·columns + c) is the edge (r,c)-(r,c+1); 2·(r·columns + c) + 1 is (r,c)-(r+1,c).
        long Horizontal(int r, int c) => 2L * (r * (long)columns + c);
        long Vertical(int r, int c) => 2L * (r * (long)columns + c) + 1;
        var points = new Dictionary<long, (double, double)>();
        var segments = new List<(long A, long B)>();

        void Cross(long edge, double column, double row, double v0, double v1, bool alongColumns)
        {
            if (points.ContainsKey(edge)) return;
            double t = (level - v0) / (v1 - v0);
            points[edge] = alongColumns ? (column + t, row) : (column, row + t);
        }

        for (int r = 0; r + 1 < rows; r++)
            for (int c = 0; c + 1 < columns; c++)
            {
                double a = Value(r, c), b = Value(r, c + 1), d = Value(r + 1, c + 1), e = Value(r + 1, c);
                if (double.IsNaN(a) || double.IsNaN(b) || double.IsNaN(d) || double.IsNaN(e)) continue;
                bool sa = a >= level, sb = b >= level, sd = d >= level, se = e >= level;
                // the square's edges: bottom a-b, right b-d, top e-d, left a-e
                long bottom = Horizontal(r, c), right = Vertical(r, c + 1), top = Horizontal(r + 1, c), left = Vertical(r, c);
                var crossed = new List<long>(4);
                if (sa != sb) { Cross(bottom, c, r, a, b, true); crossed.Add(bottom); }
                if (sb != sd) { Cross(right, c + 1, r, b, d, false); crossed.Add(right); }
                if (se != sd) { Cross(top, c, r + 1, e, d, true); crossed.Add(top); }
                if (sa != se) { Cross(left, c, r, a, e, false); crossed.Add(left); }
                if (crossed.Count == 2) segments.Add((crossed[0], crossed[1]));
                else if (crossed.Count == 4)
                {
                    // Saddle: cut off the two corners on the other side of the level from the centre.
                    bool centre = (a + b + d + e) / 4 >= level;
                    if (sa != centre) segments.Add((bottom, left));
                    if (sb != centre) segments.Add((bottom, right));
                    if (sd != centre) segments.Add((right, top));
                    if (se != centre) segments.Add((top, left));
                }
            }

        return Join(segments, points);
    }

    private static List<List<(double, double)>> Join(List<(long A, long B)> segments, Dictionary<long, (double, double)> points)
    {
        var byEdge = new Dictionary<long, List<int>>();
        for (int i = 0; i < segments.Count; i++)
        {
            foreach (long edge in new[] { segments[i].A, segments[i].B })
            {
                if (!byEdge.TryGetValue(edge, out var list)) byEdge[edge] = list = [];
                list.Add(i);
            }
        }
        var used = new bool[segments.Count];
        var lines = new List<List<(double, double)>>();

        List<(double, double)> Walk(long start)
        {
            var line = new List<(double, double)> { points[start] };
            long at = start;
            while (byEdge[at].FirstOrDefault(i => !used[i], -1) is int next and >= 0)
            {
                used[next] = true;
                at = segments[next].A == at ? segments[next].B : segments[next].A;
                line.Add(points[at]);
            }
            return line;
        }

        // Open lines start at an edge that only one segment touches (the grid border or a masked region).
        foreach (var (edge, touching) in byEdge)
            if (touching.Count == 1 && !used[touching[0]]) lines.Add(Walk(edge));
        // What is left are closed loops.
        for (int i = 0; i < segments.Count; i++)
            if (!used[i]) lines.Add(Walk(segments[i].A));
        return lines;
    }
}
