using System.CommandLine;
using System.Numerics;
using SharpEdge.Nn;
using SharpEdge.Numerics.Io;

namespace SharpEdge.Cli;

/// <summary>
/// The model, weights and data of a command that computes on given weights (<c>model hvp</c>, <c>measure</c>):
/// the shared options (--model, --params, --inputs, --targets, --loss, --classes) and their loading with
/// validation that names the file and what is wrong with it. Vectors are flat in the order of <c>model info</c>.
/// </summary>
public sealed class ModelInputs
{
    public Option<string> Model { get; } = new("--model")
    {
        Description = "preset (mlp, mlp2, mlp3, mlp_s, mlp_l, mlp_silu, mlp_tanh, linear_s, cnn, cnn_silu, resnet, resnet_bn, wrn, wrn_no_bn) or spec like mlp:784-512-10:relu",
        Required = true,
    };

    public Option<string> Params { get; } = new("--params") { Description = "weights (.safetensors, PyTorch names and layout)", Required = true };
    public Option<string> Inputs { get; } = new("--inputs") { Description = "inputs X.npy, [N, ...] float32/float64", Required = true };
    public Option<string> Targets { get; } = new("--targets") { Description = "targets Y.npy: [N, C] floats for mse, [N] int64 classes for ce", Required = true };
    public Option<string> Loss { get; } = new Option<string>("--loss") { Description = "mse or ce", DefaultValueFactory = _ => "mse" }.AcceptOnlyFromAmong("mse", "ce");
    public Option<int?> Classes { get; } = new("--classes") { Description = "outputs of the model (default: columns of Y for mse, the spec's last size or 10 for ce)" };

    public Option<string> BatchNorm { get; } = new Option<string>("--bn")
    {
        Description = "BatchNorm statistics: batch (training mode, of the evaluated batch or chunk; the default, as the original) " +
            "or frozen (running statistics from --params, evaluation mode)",
        DefaultValueFactory = _ => "batch",
    }.AcceptOnlyFromAmong("batch", "frozen");

    /// <summary>The options, to add to a command.</summary>
    public IEnumerable<Option> Options => [Model, Params, Inputs, Targets, Loss, Classes, BatchNorm];

    /// <summary>The file names and settings given on the command line.</summary>
    public ModelInputPaths Paths(ParseResult parse) => new(parse.GetValue(Model)!, parse.GetValue(Params)!, parse.GetValue(Inputs)!,
        parse.GetValue(Targets)!, parse.GetValue(Loss)!, parse.GetValue(Classes), parse.GetValue(BatchNorm) == "frozen");

    /// <summary>Reads weights and data, builds the network and checks that they fit together.</summary>
    public static LoadedModel<T> Load<T>(ModelInputPaths r) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = Npy.Read(r.Inputs);
        if (x.Shape.Length < 1 || x.Shape[0] < 1) throw new ArgumentException($"{r.Inputs}: expected [N, ...] with N ≥ 1, got shape [{string.Join(",", x.Shape)}]");
        var inputShape = x.Shape[1..];
        if (inputShape.Length == 0) inputShape = [1];
        var y = Npy.Read(r.Targets);
        int n = x.Shape[0];
        if (y.Shape.Length < 1 || y.Shape[0] != n)
            throw new ArgumentException($"{r.Targets}: shape [{string.Join(",", y.Shape)}] does not match {n} rows of {r.Inputs}");
        int classes;
        T[]? targetValues = null;
        int[]? labels = null;
        if (r.Loss == "ce")
        {
            if (y.Dtype is not (NpyDtype.Int64 or NpyDtype.Int32) || y.Shape.Length != 1)
                throw new ArgumentException($"{r.Targets}: ce needs int64 class indices of shape [{n}], got {y.Dtype} [{string.Join(",", y.Shape)}]");
            labels = y.AsInt64().Select(v => v is >= 0 and <= int.MaxValue ? (int)v
                : throw new ArgumentException($"{r.Targets}: class index {v} is negative or too large")).ToArray();
            classes = -1;
        }
        else
        {
            if (y.Dtype is not (NpyDtype.Float32 or NpyDtype.Float64) || y.Shape.Length != 2)
                throw new ArgumentException($"{r.Targets}: mse needs float targets of shape [{n}, C], got {y.Dtype} [{string.Join(",", y.Shape)}]");
            classes = y.Shape[1];
            if (r.Classes is { } c && c != classes) throw new ArgumentException($"{r.Targets}: has {classes} target columns but --classes is {c}");
            targetValues = Convert<T>(y, r.Targets);
        }
        var spec = ModelSpec.Parse(r.Model);
        if (classes < 0)
        {
            classes = r.Classes ?? spec.Sizes?[^1] ?? 10;
            var bad = Array.FindIndex(labels!, l => l >= classes);
            if (bad >= 0) throw new ArgumentException($"{r.Targets}: class index {labels![bad]} at row {bad} is not below the {classes} classes");
        }
        var network = spec.Build<T>(inputShape, classes);
        if (r.FrozenBatchNorm) network.Normalization = NormalizationMode.RunningStatistics;
        var samples = new Samples<T>(Convert<T>(x, r.Inputs), inputShape, targetValues, classes, labels);
        var theta = new T[network.ParameterCount];
        ParameterFile.Read<T>(r.Params, network, theta, requireBuffers: r.FrozenBatchNorm && network.HasBatchStatistics);
        return new LoadedModel<T>(spec, network, samples, theta, Loss<T>.FromName(r.Loss));
    }

    /// <summary>A parameter vector from a safetensors file with the network's tensor names and shapes (buffers in it are checked, not loaded).</summary>
    public static T[] ReadParameters<T>(string path, Network<T> network) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var theta = new T[network.ParameterCount];
        ParameterFile.Read<T>(path, network, theta, new T[network.BufferLayout.Count], requireBuffers: false);
        return theta;
    }

    /// <summary>A flat vector of <paramref name="length"/> values from a .npy file (<paramref name="what"/> names it in errors).</summary>
    public static T[] ReadVector<T>(string path, int length, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var v = Npy.Read(path);
        if (v.Length != length)
            throw new ArgumentException($"{path}: has {v.Length} values (shape [{string.Join(",", v.Shape)}]), {what} needs {length} (the model's parameters)");
        return Convert<T>(v, path);
    }

    /// <summary>Converts an array read from <paramref name="path"/> (shape [N, ...]) to T, rejecting NaN and ±∞ with the row.</summary>
    public static T[] Convert<T>(NpyArray array, string path) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = array.AsFloat64();
        var bad = Validation.IndexOfNonFinite(values);
        if (bad >= 0)
        {
            var row = array.Shape.Length > 1 ? $"row {bad / (values.Length / array.Shape[0])}, " : "";
            throw new ArgumentException($"{path}: non-finite value {values[bad]} at {row}flat index {bad} of shape [{string.Join(",", array.Shape)}]");
        }
        var result = new T[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = T.CreateTruncating(values[i]);
        return result;
    }

    /// <summary>Writes a flat vector as .npy in its own number type.</summary>
    public static void WriteVector<T>(string path, T[] values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (values is double[] d) Npy.Write(path, d, d.Length);
        else if (values is float[] f) Npy.Write(path, f, f.Length);
        else throw new NotSupportedException($"vectors of {typeof(T).Name}");
    }
}

/// <summary>What the model options name.</summary>
public sealed record ModelInputPaths(string Model, string Params, string Inputs, string Targets, string Loss, int? Classes, bool FrozenBatchNorm = false);

/// <summary>A built network with its weights θ and samples.</summary>
public sealed record LoadedModel<T>(ModelSpec Spec, Network<T> Network, Samples<T> Samples, T[] Theta, Loss<T> Loss) where T : unmanaged, IFloatingPointIeee754<T>;
