namespace SharpEdge.Training.Tests;

public sealed class SparseRandomProjectionTests
{
    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);

    [Fact]
    public void Every_column_has_four_entries_of_one_half_on_a_coprime_stride_and_the_product_is_the_dense_one()
    {
        const int d = 3000, m = 60;
        var projection = new SparseRandomProjection(d, m, seed: 1337);
        var dense = new double[m, d];
        int negative = 0;
        for (int j = 0; j < d; j++)
        {
            var rows = Enumerable.Range(0, 4).Select(t => projection.Row(j, t)).ToArray();
            Assert.Equal(4, rows.Distinct().Count());
            Assert.All(rows, r => Assert.InRange(r, 0, m - 1));
            var stride = ((rows[1] - rows[0]) % m + m) % m;
            Assert.Equal(1, Gcd(stride, m));
            for (int t = 0; t < 4; t++)
            {
                Assert.Equal(((rows[0] + (long)stride * t) % m), rows[t]);   // (base + stride·t) mod m
                var value = projection.Entry(j, t);
                Assert.Equal(0.5, Math.Abs(value));
                if (value < 0) negative++;
                dense[rows[t], j] = value;
            }
        }
        Assert.InRange(negative / (4.0 * d), 0.47, 0.53);

        var rng = new SharpEdge.Numerics.Rng(4);
        var x = new float[d];
        var y = new double[m];
        double ratio = 0;
        const int draws = 40;
        for (int k = 0; k < draws; k++)
        {
            rng.FillNormal(x);
            projection.Project(x, y);
            double normX = 0, normY = 0;
            for (int i = 0; i < m; i++)
            {
                double expected = 0;
                for (int j = 0; j < d; j++) expected += dense[i, j] * x[j];
                Assert.Equal(expected, y[i], 1e-11);
                normY += y[i] * y[i];
            }
            foreach (var v in x) normX += (double)v * v;
            ratio += normY / normX / draws;
        }
        Assert.InRange(ratio, 0.95, 1.05);   // unit columns with random signs: E‖Px‖² = ‖x‖²
        // the same seed draws the same matrix; another seed another
        var again = new SparseRandomProjection(d, m, seed: 1337);
        var other = new SparseRandomProjection(d, m, seed: 1338);
        Assert.All(Enumerable.Range(0, d), j => Assert.Equal(projection.Row(j, 2), again.Row(j, 2)));
        Assert.Contains(Enumerable.Range(0, d), j => projection.Row(j, 0) != other.Row(j, 0));
    }
}
