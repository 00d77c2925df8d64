namespace SharpEdge.Sweeps.Tests;

public class SweepGridTests
{
    [Fact]
    public void Each_cell_holds_the_median_of_its_seeds()
    {
        var grid = SweepGrid.Build([
            (1, 0.5, 3), (1, 0.5, 1), (1, 0.5, 2),            // odd count: the middle one
            (2, 0.5, 4), (2, 0.5, 1), (2, 0.5, 3), (2, 0.5, 10), // even: mean of the two middle ones
            (1, 1, double.NaN), (1, 1, 7),                     // NaN (a diverged seed) is left out
            (2, 1, double.NaN),                                // nothing finite: blank
        ]);
        Assert.Equal([1.0, 2.0], grid.X);
        Assert.Equal([0.5, 1.0], grid.Y);
        Assert.Equal(2, grid.Median[0, 0]);
        Assert.Equal(3.5, grid.Median[0, 1]);
        Assert.Equal(7, grid.Median[1, 0]);
        Assert.True(double.IsNaN(grid.Median[1, 1]));
        Assert.Equal(new[,] { { 3, 4 }, { 1, 0 } }, grid.Count);
    }

    [Fact]
    public void The_plateau_is_the_mean_of_the_last_third()
    {
        Assert.Equal((7 + 8 + 9) / 3.0, SweepObservable.Plateau([1, 2, 3, 4, 5, 6, 7, 8, 9]));
        Assert.Equal((9 + 10) / 2.0, SweepObservable.Plateau([1, 2, 3, 4, 9, 10, double.NaN]));   // last ⌈7/3⌉ = 3, NaN dropped
        Assert.Equal(5, SweepObservable.Plateau([5]));
    }
}
