namespace SharpEdge.Plots.Tests;

public sealed class ContourTracerTests
{
    [Fact]
    public void PlaneGivesOneStraightLineAtTheInterpolatedPosition()
    {
        var field = new double[5, 4];
        for (int r = 0; r < 5; r++)
            for (int c = 0; c < 4; c++)
                field[r, c] = 2.0 * c; // level 3 lies at column 1.5
        var lines = ContourTracer.Trace(field, 3);
        var line = Assert.Single(lines);
        Assert.Equal(5, line.Count);
        Assert.All(line, p => Assert.Equal(1.5, p.Column, 12));
        Assert.Equal([0.0, 1, 2, 3, 4], line.Select(p => p.Row).Order());
    }

    [Fact]
    public void BumpGivesAClosedLoop()
    {
        var field = new double[7, 7];
        for (int r = 0; r < 7; r++)
            for (int c = 0; c < 7; c++)
                field[r, c] = -((r - 3) * (r - 3) + (c - 3) * (c - 3));
        var line = Assert.Single(ContourTracer.Trace(field, -4.5));
        Assert.Equal(line[0], line[^1]);
        Assert.All(line, p => Assert.InRange(Math.Sqrt((p.Row - 3) * (p.Row - 3) + (p.Column - 3) * (p.Column - 3)), 1.8, 2.5));
    }

    [Fact]
    public void MaskedPointsCutTheLine()
    {
        var field = new double[5, 4];
        var mask = new bool[5, 4];
        for (int r = 0; r < 5; r++)
            for (int c = 0; c < 4; c++)
            {
                field[r, c] = c;
                mask[r, c] = r <= 1; // the two lowest rows are left out
            }
        var line = Assert.Single(ContourTracer.Trace(field, 1.5, mask));
        Assert.Equal([2.0, 3, 4], line.Select(p => p.Row).Order());
        Assert.Empty(ContourTracer.Trace(field, 10));
    }
}
