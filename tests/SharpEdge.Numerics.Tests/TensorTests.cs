namespace SharpEdge.Numerics.Tests;

public class TensorTests
{
    [Fact]
    public void Rows_and_indices_follow_row_major_order()
    {
        var t = new Tensor<double>(Enumerable.Range(0, 24).Select(i => (double)i).ToArray(), 4, 6);
        Assert.Equal(6, t.RowSize);
        Assert.Equal(new double[] { 12, 13, 14, 15, 16, 17 }, t.Row(2).ToArray());
        Assert.Equal(19.0, t[3, 1]);
        t[3, 1] = -1;
        Assert.Equal(-1.0, t.Data[19]);
        var images = t.Reshape(2, 3, 4);
        Assert.Same(t.Data, images.Data);
        Assert.Equal(12, images.RowSize);
        Assert.Equal("Double[2,3,4]", images.ToString());
    }

    [Fact]
    public void Wrong_sizes_and_indices_are_errors_naming_the_shape()
    {
        Assert.Contains("[2,3] needs 6 values, got 5", Assert.Throws<ArgumentException>(() => new Tensor<float>(new float[5], 2, 3)).Message);
        Assert.Contains("[4,6]", Assert.Throws<IndexOutOfRangeException>(() => new Tensor<float>(4, 6).Row(4).Length).Message);
        Assert.Contains("negative dimension", Assert.Throws<ArgumentException>(() => new Tensor<float>(2, -1)).Message);
    }
}

public class ParallelismTests
{
    [Fact]
    public void A_thread_limit_applies_to_the_calling_thread_only_and_is_restored()
    {
        var saved = Parallelism.Threads;
        try
        {
            Parallelism.Threads = 4;
            using (Parallelism.Limit(1))
            {
                Assert.Equal(1, Parallelism.Threads);
                int other = 0;
                var t = new Thread(() => other = Parallelism.Threads);
                t.Start();
                t.Join();
                Assert.Equal(4, other);
            }
            Assert.Equal(4, Parallelism.Threads);
        }
        finally
        {
            Parallelism.Threads = saved;
        }
    }
}
