using SharpEdge.Data;
using SharpEdge.Nn;

namespace SharpEdge.Training.Tests;

/// <summary>A float32 training run's data, model and checkpoints, with the same model in float64 for references.</summary>
internal sealed class TrainedReference
{
    public TrainedReference(TrainingConfig config, string runFolder)
    {
        Config = config;
        Trainer = new Trainer(config);
        Checkpoints = new CheckpointFolder(runFolder, Trainer.Network.Layout);
        var data = Datasets.Load(config.Dataset, new DataRequest { NumData = config.NumData, DatasetSeed = config.DatasetSeed });
        Data = data.Train<double>(config.Loss);
        Network = ModelSpec.Parse(config.Model).Build<double>(data.InputShape, data.Outputs);
        Loss = Loss<double>.FromName(config.Loss);
        Order = new BatchOrder(Data.Count, config.BatchSize, config.OrderSeed);
    }

    public TrainingConfig Config { get; }
    public Trainer Trainer { get; }
    public CheckpointFolder Checkpoints { get; }
    public Samples<double> Data { get; }
    public Network<double> Network { get; }
    public Loss<double> Loss { get; }
    public BatchOrder Order { get; }

    public Checkpoint At(long step) => Checkpoints.Read(step);

    public Objective<double> Full() => new(Network, Loss, Data);

    public Objective<double> Batch(long step) => new(Network, Loss, Data.Gather(Order.Batch(step).ToArray()));

    public static double[] Wide(float[] values) => [.. values.Select(v => (double)v)];

    /// <summary>H v by central differences of exact float64 gradients along v.</summary>
    public static double[] DirectionalHessian(Objective<double> objective, double[] theta, double[] v, double h = 1e-4)
    {
        var scale = h / Math.Max(DoubleProblem.Norm(v), 1e-300);
        var up = DoubleProblem.Gradient(objective, [.. theta.Zip(v, (t, d) => t + scale * d)]);
        var down = DoubleProblem.Gradient(objective, [.. theta.Zip(v, (t, d) => t - scale * d)]);
        return [.. up.Zip(down, (a, b) => (a - b) / (2 * scale))];
    }

    /// <summary>√Σ ulp(θ_j)²: how far float32 rounding of θ can move a difference of two θ's.</summary>
    public static double RoundingBound(float[] theta) => Math.Sqrt(theta.Sum(t => Math.Pow(MathF.BitIncrement(MathF.Abs(t)) - MathF.Abs(t), 2)));
}
