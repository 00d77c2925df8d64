using SharpEdge.Curvature.Measurements;
using SharpEdge.Curvature;
using SharpEdge.Gpu.Curvature;
using SharpEdge.Nn;
using SharpEdge.Numerics;
using Xunit.Abstractions;

namespace SharpEdge.Gpu.Tests;

/// <summary>
/// The GPU curvature engine on ILGPU's CPU accelerator against the CPU engine (<see cref="Objective{T}"/>) on the same
/// weights and data: loss, gradient and Hessian-vector products in float64, and λ_max through the same solver.
/// </summary>
public sealed class DeviceMlpTests(CpuDeviceFixture fixture, ITestOutputHelper output) : IClassFixture<CpuDeviceFixture>
{
    private const double Tolerance = 1e-12;

    private sealed record Problem(Network<double> Network, Loss<double> Loss, Samples<double> Data, double[] Theta);

    // n samples of a small MLP with random weights (scaled up so tanh and ReLU are well inside their nonlinear range).
    private static Problem Create(string spec, string loss, int samples, ulong seed)
    {
        var model = ModelSpec.Parse(spec);
        const int inputs = 7, outputs = 3;
        var network = model.Build<double>([inputs], outputs);
        var theta = new double[network.ParameterCount];
        model.Initialize(network, theta, 1.0, seed);
        var rng = new Rng(seed + 1);
        for (int i = 0; i < theta.Length; i++) theta[i] += 0.1 * rng.NextNormal();   // non-zero biases
        var x = new double[samples * inputs];
        rng.FillNormal(x);
        Samples<double> data;
        if (loss == "mse")
        {
            var y = new double[samples * outputs];
            rng.FillNormal(y);
            data = new Samples<double>(x, [inputs], y, outputs, null);
            return new Problem(network, new MeanSquaredError<double>(), data, theta);
        }
        var labels = Enumerable.Range(0, samples).Select(i => (int)(rng.NextDouble() * outputs)).ToArray();
        data = new Samples<double>(x, [inputs], null, outputs, labels);
        return new Problem(network, new CrossEntropy<double>(), data, theta);
    }

    [Theory]
    [InlineData("mlp:7-6-5-3:relu", "mse")]
    [InlineData("mlp:7-6-5-3:tanh", "mse")]
    [InlineData("mlp:7-6-5-3:relu", "ce")]
    [InlineData("mlp:7-9-3:tanh", "ce")]
    [InlineData("mlp:7-6-5-3:tanh:nobias", "mse")]
    public void LossGradientAndHessianProductsEqualTheCpuEngine(string spec, string loss)
    {
        var p = Create(spec, loss, samples: 37, seed: 5);
        var cpu = new Objective<double>(p.Network, p.Loss, p.Data);
        using var gpu = new DeviceMlp<double>(fixture.Device, p.Network, p.Loss, p.Data);
        int n = p.Network.ParameterCount;

        var expectedGradient = new double[n];
        var gradient = new double[n];
        double expectedLoss = cpu.Linearize(p.Theta, expectedGradient);
        double value = gpu.Linearize(p.Theta, gradient);
        Assert.Equal(expectedLoss, value, Tolerance * Math.Abs(expectedLoss));
        double gradientDifference = Compare.RelativeDifference(gradient, expectedGradient);
        Assert.True(gradientDifference <= Tolerance, $"gradient: relative difference {gradientDifference:G3}");

        var rng = new Rng(9);
        double worst = 0.0, worstGaussNewton = 0.0;
        // One product on both engines, compared; H·v and G·v interleaved (each leaves the other's inputs as they were).
        double[] Product(string name, Action<double[], double[]> onCpu, Action<double[], double[]> onDevice, double[] v, ref double worstSoFar)
        {
            var expected = new double[n];
            var image = new double[n];
            onCpu(v, expected);
            onDevice(v, image);
            double difference = Compare.RelativeDifference(image, expected);
            Assert.True(difference <= Tolerance, $"{name}: relative difference {difference:G3}");
            worstSoFar = Math.Max(worstSoFar, difference);
            return image;
        }
        for (int trial = 0; trial < 3; trial++)
        {
            var v = new double[n];
            rng.FillNormal(v);
            var hv = Product($"H·v {trial}", (x, y) => cpu.HessianVectorProduct(x, y), (x, y) => gpu.HessianVectorProduct(x, y), v, ref worst);
            var gv = Product($"G·v {trial}", (x, y) => cpu.GaussNewtonVectorProduct(x, y), (x, y) => gpu.GaussNewtonVectorProduct(x, y), v, ref worstGaussNewton);
            // the network's second-order term makes H differ from G here (residuals are far from zero)
            Assert.True(Compare.RelativeDifference(hv, gv) > 1e-3, "H·v and G·v should differ away from interpolation");
        }
        output.WriteLine($"{spec} {loss}: loss {value:G6}, gradient difference {gradientDifference:G3}, H·v difference {worst:G3}, G·v difference {worstGaussNewton:G3}");
    }

    // float32 on the device against float32 on the CPU (different summation orders: agreement to float32 rounding).
    [Theory]
    [InlineData("mlp:7-6-5-3:relu", "mse")]
    [InlineData("mlp:7-6-5-3:tanh", "ce")]
    public void Float32AgreesWithTheCpuEngineInFloat32(string spec, string loss)
    {
        var p = Create(spec, loss, samples: 37, seed: 5);
        var network = ModelSpec.Parse(spec).Build<float>([7], 3);
        Loss<float> loss32 = loss == "mse" ? new MeanSquaredError<float>() : new CrossEntropy<float>();
        var data = new Samples<float>([.. p.Data.Inputs.Select(x => (float)x)], [7], p.Data.Targets?.Select(x => (float)x).ToArray(), 3, p.Data.Labels);
        var theta = p.Theta.Select(x => (float)x).ToArray();
        var cpu = new Objective<float>(network, loss32, data);
        using var gpu = new DeviceMlp<float>(fixture.Device, network, loss32, data);
        int n = network.ParameterCount;
        var expectedGradient = new float[n];
        var gradient = new double[n];
        double expectedLoss = cpu.Linearize(theta, expectedGradient);
        Assert.Equal(expectedLoss, gpu.Linearize(p.Theta.Select(x => (double)(float)x).ToArray(), gradient), 1e-5 * Math.Abs(expectedLoss));
        Assert.True(Compare.RelativeDifference(gradient, [.. expectedGradient.Select(x => (double)x)]) <= 1e-5);
        var v = new double[n];
        new Rng(3).FillNormal(v);
        var expected = new float[n];
        var hv = new double[n];
        cpu.HessianVectorProduct(v.Select(x => (float)x).ToArray(), expected);
        gpu.HessianVectorProduct(v, hv);
        double difference = Compare.RelativeDifference(hv, [.. expected.Select(x => (double)x)]);
        Assert.True(difference <= 1e-5, $"float32 H·v: relative difference {difference:G3}");
        output.WriteLine($"float32 {spec} {loss}: H·v relative difference {difference:G3}; GEMMs: {gpu.GemmBackend}");
    }

    [Fact]
    public void LambdaMaxOnTheDeviceEqualsTheCpuEngine()
    {
        var p = Create("mlp:7-6-5-3:tanh", "mse", samples: 29, seed: 11);
        var cpu = new Objective<double>(p.Network, p.Loss, p.Data);
        using var gpu = new DeviceMlp<double>(fixture.Device, p.Network, p.Loss, p.Data);
        var gradient = new double[p.Network.ParameterCount];
        cpu.Linearize(p.Theta, gradient);
        gpu.Linearize(p.Theta, gradient);
        var options = new EigenOptions { Method = EigenMethod.Lanczos, Tolerance = 1e-10 };
        double expected = EigenSolvers.TopK(new HessianOperator<double>(cpu), 1, options).Values[0];
        double actual = EigenSolvers.TopK(new DeviceCurvatureOperator<double>(gpu, gaussNewton: false), 1, options).Values[0];
        Assert.Equal(expected, actual, 1e-9 * Math.Abs(expected));
        // And against the dense matrix of the CPU Hessian, independently of the solver.
        double dense = SymmetricEigen.Decompose(LinearOperator.ToDense(new HessianOperator<double>(cpu)), p.Network.ParameterCount).Values.Max();
        Assert.Equal(dense, actual, 1e-8 * Math.Abs(dense));
    }

    // Batch sharpness with its batches on the device (one engine over a batch-sized buffer) against the CPU workers:
    // the same batches (sample i is batch i), so the same estimate and the same number of samples. Batches past the
    // Gram limit: smaller ones keep the Hessian's forms on the CPU workers (EngineMeasurements.CpuHasGramPath).
    [Theory]
    [InlineData("mlp:7-6-5-3:tanh", "mse")]
    [InlineData("mlp:7-6-5-3:relu", "ce")]
    public void BatchSharpnessOnTheDeviceEqualsTheCpuWorkers(string spec, string loss)
    {
        var p = Create(spec, loss, samples: 90, seed: 13);
        const int batch = Objective<double>.GramBatchLimit + 2;
        var objective = new Objective<double>(p.Network, p.Loss, p.Data);
        MeasurementContext<double> Context() => new(objective, p.Theta) { BatchSize = batch, Seed = 17, Threads = 2, MonteCarlo = MonteCarloSettings.Fixed(8) };
        var expected = new BatchSharpness().Measure(Context()).Value;
        using var engine = new DeviceMlp<double>(fixture.Device, p.Network, p.Loss, p.Data.CreateBuffer(batch));
        var onDevice = Context();
        onDevice.BatchEngine = engine;
        var actual = new BatchSharpness().Measure(onDevice).Value;
        Assert.Equal(expected.Samples, actual.Samples);
        Assert.Equal(expected.Value, actual.Value, 1e-12 * Math.Abs(expected.Value));
        Assert.Equal(expected.StandardError!.Value, actual.StandardError!.Value, 1e-10 * expected.StandardError.Value);
        var ratio = new BatchSharpnessRatioOfMeans().Measure(onDevice).Value;
        Assert.Equal(new BatchSharpnessRatioOfMeans().Measure(Context()).Value.Value, ratio.Value, 1e-12 * Math.Abs(ratio.Value));
        // the Gauss-Newton form on the same batches, and different from the Hessian's
        var expectedGaussNewton = new GaussNewtonBatchSharpness().Measure(Context()).Value;
        var gaussNewton = new GaussNewtonBatchSharpness().Measure(onDevice).Value;
        Assert.Equal(expectedGaussNewton.Samples, gaussNewton.Samples);
        Assert.Equal(expectedGaussNewton.Value, gaussNewton.Value, 1e-12 * Math.Abs(expectedGaussNewton.Value));
        Assert.NotEqual(actual.Value, gaussNewton.Value, 1e-3 * Math.Abs(actual.Value));
        output.WriteLine($"{spec} {loss}: batch sharpness {actual.Value:G6} ± {actual.StandardError:G3} over the same {actual.Samples} batches of {batch} as the CPU workers");

        // A batch of another size or shape is refused by name.
        var wrong = Assert.Throws<ArgumentException>(() => engine.CurvatureAlongGradient(p.Data.CreateBuffer(batch + 1)));
        Assert.Contains("samples", wrong.Message);
    }

    [Fact]
    public void NetworksOtherThanMlpsAndHessianProductsBeforeLinearizingAreRefused()
    {
        var p = Create("mlp:7-6-3:relu", "mse", samples: 5, seed: 1);
        using var gpu = new DeviceMlp<double>(fixture.Device, p.Network, p.Loss, p.Data);
        var error = Assert.Throws<InvalidOperationException>(() => gpu.HessianVectorProduct(new double[p.Network.ParameterCount], new double[p.Network.ParameterCount]));
        Assert.Contains("Linearize", error.Message);
        Assert.Throws<ArgumentException>(() => gpu.Linearize(new double[3], new double[p.Network.ParameterCount]));

        var conv = ModelSpec.Parse("cnn").Build<double>([3, 32, 32], 10);
        var images = new Samples<double>(new double[2 * 3 * 32 * 32], [3, 32, 32], new double[20], 10, null);
        var refusal = Assert.Throws<NotSupportedException>(() => new DeviceMlp<double>(fixture.Device, conv, new MeanSquaredError<double>(), images));
        Assert.Contains("MLP", refusal.Message);
    }
}
