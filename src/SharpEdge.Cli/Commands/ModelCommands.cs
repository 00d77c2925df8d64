using System.CommandLine;
using System.Diagnostics;
using System.Numerics;
using SharpEdge.Nn;
using SharpEdge.Numerics.Io;

namespace SharpEdge.Cli.Commands;

/// <summary><c>model info</c> and <c>model hvp</c>: what a model spec builds, and exact H·v on given weights and data.</summary>
public static class ModelCommands
{
    public static Command Create()
    {
        var command = new Command("model", "Inspect models and compute exact derivatives on given weights.");
        command.Subcommands.Add(Info());
        command.Subcommands.Add(Hvp());
        return command;
    }

    private static Option<string> ModelOption() => new("--model") { Description = "preset (mlp, mlp2, mlp3, mlp_s, mlp_l, mlp_silu, mlp_tanh, linear_s) or spec like mlp:784-512-10:relu", Required = true };

    private static Option<string> InputShapeOption() => new("--input-shape")
    {
        Description = "per-sample input shape, e.g. 784, 1x28x28 or 3x32x32",
        DefaultValueFactory = _ => "3x32x32",
    };

    private static Option<int> ClassesOption() => new("--classes") { Description = "number of outputs", DefaultValueFactory = _ => 10 };

    public static int[] ParseShape(string text)
    {
        var parts = text.Split('x', ',');
        var shape = parts.Select(p => int.TryParse(p.Trim(), out var n) && n > 0 ? n
            : throw new ArgumentException($"input shape '{text}': '{p}' is not a positive size")).ToArray();
        return shape;
    }

    private static Command Info()
    {
        var model = ModelOption();
        var inputShape = InputShapeOption();
        var classes = ClassesOption();
        var json = CommonOptions.Json();
        var command = new Command("info", "List a model's parameter tensors in PyTorch order.") { model, inputShape, classes, json };
        command.SetAction(parse =>
        {
            var spec = ModelSpec.Parse(parse.GetValue(model)!);
            var network = spec.Build<double>(ParseShape(parse.GetValue(inputShape)!), parse.GetValue(classes));
            if (parse.GetValue(json))
            {
                CommandRunner.WriteJson(new
                {
                    parameters = network.ParameterCount,
                    tensors = network.Layout.Tensors.Select(t => new { name = t.Name, shape = t.Shape }),
                });
                return;
            }
            Console.WriteLine(network.Description);
            foreach (var layer in network.Layers) Console.WriteLine($"  {layer.Describe()}");
            foreach (var t in network.Layout.Tensors) Console.WriteLine($"  {t.Name,-24} {t.ShapeText,-14} {t.Count,12:N0}");
            Console.WriteLine($"parameters: {network.ParameterCount:N0}");
        });
        return command;
    }

    private static Command Hvp()
    {
        var model = ModelOption();
        var parameters = new Option<string>("--params") { Description = "weights (.safetensors, PyTorch names and layout)", Required = true };
        var inputs = new Option<string>("--inputs") { Description = "inputs X.npy, [N, ...] float32/float64", Required = true };
        var targets = new Option<string>("--targets") { Description = "targets Y.npy: [N, C] floats for mse, [N] int64 classes for ce", Required = true };
        var loss = new Option<string>("--loss") { Description = "mse or ce", DefaultValueFactory = _ => "mse" }.AcceptOnlyFromAmong("mse", "ce");
        var vector = new Option<string>("--vector") { Description = "direction V.npy, flat, in the order of `model info`", Required = true };
        var output = new Option<string>("--out") { Description = "where to write H·v (.npy)", Required = true };
        var gradOut = new Option<string?>("--grad-out") { Description = "also write the gradient (.npy)" };
        var classes = new Option<int?>("--classes") { Description = "outputs of the model (default: columns of Y for mse, the spec's last size or 10 for ce)" };
        var dtype = CommonOptions.Dtype("f64");
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var command = new Command("hvp", "Exact Hessian-vector product of the mean loss over all rows of X (R-operator, not finite differences).")
        {
            model, parameters, inputs, targets, loss, vector, output, gradOut, classes, dtype, threads, json,
        };
        command.SetAction(parse =>
        {
            var request = new HvpRequest(parse.GetValue(model)!, parse.GetValue(parameters)!, parse.GetValue(inputs)!, parse.GetValue(targets)!,
                parse.GetValue(loss)!, parse.GetValue(vector)!, parse.GetValue(output)!, parse.GetValue(gradOut), parse.GetValue(classes));
            var (lossValue, seconds) = parse.GetValue(dtype) == "f32" ? RunHvp<float>(request) : RunHvp<double>(request);
            if (parse.GetValue(json)) CommandRunner.WriteJson(new { loss = lossValue, seconds });
            else Console.WriteLine($"loss {lossValue:R}  ({seconds:F3} s); H·v written to {request.Output}");
        });
        return command;
    }

    private sealed record HvpRequest(string Model, string Params, string Inputs, string Targets, string Loss, string Vector, string Output, string? GradOut, int? Classes);

    private static (double Loss, double Seconds) RunHvp<T>(HvpRequest r) where T : unmanaged, IFloatingPointIeee754<T>
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
        var samples = new Samples<T>(Convert<T>(x, r.Inputs), inputShape, targetValues, classes, labels);
        var theta = new T[network.ParameterCount];
        ParameterFile.Read<T>(r.Params, network.Layout, theta);
        var v = Npy.Read(r.Vector);
        if (v.Length != network.ParameterCount)
            throw new ArgumentException($"{r.Vector}: has {v.Length} values (shape [{string.Join(",", v.Shape)}]), the model has {network.ParameterCount} parameters");
        var direction = Convert<T>(v, r.Vector);

        var clock = Stopwatch.StartNew();
        var objective = new Objective<T>(network, Loss<T>.FromName(r.Loss), samples);
        var gradient = new T[network.ParameterCount];
        var loss = objective.Linearize(theta, gradient);
        var hv = new T[network.ParameterCount];
        objective.HessianVectorProduct(direction, hv);
        var seconds = clock.Elapsed.TotalSeconds;
        WriteVector<T>(r.Output, hv);
        if (r.GradOut is not null) WriteVector<T>(r.GradOut, gradient);
        return (loss, seconds);
    }

    /// <summary>Converts an array read from <paramref name="path"/> (shape [N, ...]) to T, rejecting NaN and ±∞ with the row.</summary>
    private static T[] Convert<T>(NpyArray array, string path) where T : unmanaged, IFloatingPointIeee754<T>
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

    private static void WriteVector<T>(string path, T[] values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (values is double[] d) Npy.Write(path, d, d.Length);
        else if (values is float[] f) Npy.Write(path, f, f.Length);
    }
}
