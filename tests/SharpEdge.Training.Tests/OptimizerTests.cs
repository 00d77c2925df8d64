using SharpEdge.Training;

namespace SharpEdge.Training.Tests;

public class OptimizerTests
{
    private static readonly double[][] Gradients = [[1.0, -2.0, 0.5], [0.3, 0.1, -1.0], [-0.7, 2.0, 0.0]];

    [Fact]
    public void Plain_sgd_subtracts_the_scaled_gradient()
    {
        var theta = new[] { 1.0, 1.0, 1.0 };
        var sgd = new Sgd<double>(3, 0.1);
        sgd.Step(theta, Gradients[0]);
        Assert.Equal(new[] { 0.9, 1.2, 0.95 }, theta, (a, b) => Math.Abs(a - b) < 1e-15);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Momentum_follows_pytorch_convention(bool nesterov)
    {
        // hand-unrolled torch.optim.SGD(lr=0.1, momentum=0.9, nesterov): b1 = g1; b_t = 0.9 b_{t-1} + g_t
        var theta = new[] { 0.0, 0.0, 0.0 };
        var opt = new Sgd<double>(3, 0.1, 0.9, nesterov);
        var expected = new double[3];
        var b = new double[3];
        for (int t = 0; t < Gradients.Length; t++)
        {
            opt.Step(theta, Gradients[t]);
            for (int i = 0; i < 3; i++)
            {
                b[i] = t == 0 ? Gradients[t][i] : 0.9 * b[i] + Gradients[t][i];
                expected[i] -= 0.1 * (nesterov ? Gradients[t][i] + 0.9 * b[i] : b[i]);
            }
            Assert.Equal(expected, theta, (x, y) => Math.Abs(x - y) < 1e-15);
        }
    }

    [Fact]
    public void Adam_matches_the_bias_corrected_update()
    {
        var theta = new[] { 1.0, -1.0, 0.5 };
        var adam = new Adam<double>(3, 0.01);
        double[] m = new double[3], v = new double[3], expected = (double[])theta.Clone();
        for (int t = 1; t <= Gradients.Length; t++)
        {
            adam.Step(theta, Gradients[t - 1]);
            for (int i = 0; i < 3; i++)
            {
                var g = Gradients[t - 1][i];
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                var mHat = m[i] / (1 - Math.Pow(0.9, t));
                var vHat = v[i] / (1 - Math.Pow(0.999, t));
                expected[i] -= 0.01 * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
            Assert.Equal(expected, theta, (x, y) => Math.Abs(x - y) < 1e-12);
        }
    }

    [Fact]
    public void Restored_state_continues_bit_identically()
    {
        var a = new[] { 0.2, 0.4, -0.1 };
        var opt = new Adam<double>(3, 0.01);
        opt.Step(a, Gradients[0]);
        var saved = opt.State.ToDictionary(kv => kv.Key, kv => (double[])kv.Value.Clone());
        var b = (double[])a.Clone();
        opt.Step(a, Gradients[1]);
        var resumed = new Adam<double>(3, 0.01);
        resumed.Restore(saved, 1);
        resumed.Step(b, Gradients[1]);
        Assert.Equal(a, b);
    }

    [Theory]
    [InlineData("sgd", 0.0, "sgd")]
    [InlineData("momentum", 0.0, "momentum")]
    [InlineData("nesterov", 0.5, "nesterov")]
    [InlineData("adam", 0.0, "adam")]
    public void Optimizers_are_created_by_name(string name, double momentum, string expected) =>
        Assert.Equal(expected, Optimizer<float>.Create(name, 4, 0.1, momentum).Name);

    [Fact]
    public void Bad_settings_are_rejected()
    {
        Assert.Contains("unknown optimizer 'rmsprop'", Assert.Throws<ArgumentException>(() => Optimizer<float>.Create("rmsprop", 4, 0.1)).Message);
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() => new Sgd<float>(4, -0.1)).Message);
        Assert.Contains("adam takes no --momentum", Assert.Throws<ArgumentException>(() => Optimizer<float>.Create("adam", 4, 0.1, 0.9)).Message);
    }
}

public class BatchOrderTests
{
    [Fact]
    public void Every_epoch_is_a_permutation_split_into_drop_last_batches()
    {
        var order = new BatchOrder(10, 3, 42);
        Assert.Equal(3, order.StepsPerEpoch);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var seen = new List<int>();
            for (int s = 0; s < 3; s++) seen.AddRange(order.Batch(epoch * 3 + s).ToArray());
            Assert.Equal(9, seen.Distinct().Count());
            Assert.All(seen, i => Assert.InRange(i, 0, 9));
        }
    }

    [Fact]
    public void Batches_depend_only_on_seed_and_step()
    {
        var a = new BatchOrder(100, 8, 7);
        var b = new BatchOrder(100, 8, 7);
        var late = b.Batch(37).ToArray();         // a resumed run jumps straight to step 37
        for (int s = 0; s < 37; s++) a.Batch(s);
        Assert.Equal(late, a.Batch(37).ToArray());
        Assert.NotEqual(a.Batch(0).ToArray(), a.Batch(12).ToArray());
        Assert.NotEqual(new BatchOrder(100, 8, 8).Batch(0).ToArray(), new BatchOrder(100, 8, 7).Batch(0).ToArray());
    }
}
