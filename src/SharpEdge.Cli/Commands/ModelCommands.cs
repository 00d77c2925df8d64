using System.CommandLine;
using System.Diagnostics;
using System.Numerics;
using SharpEdge.Nn;

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
        var model = new ModelInputs().Model;
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
                    buffers = network.BufferLayout.Tensors.Select(t => new { name = t.Name, shape = t.Shape }),
                });
                return;
            }
            Console.WriteLine(network.Description);
            foreach (var layer in network.Layers) Console.WriteLine($"  {layer.Describe()}");
            foreach (var t in network.Layout.Tensors) Console.WriteLine($"  {t.Name,-32} {t.ShapeText,-16} {t.Count,12:N0}");
            Console.WriteLine($"parameters: {network.ParameterCount:N0}");
            if (network.BufferLayout.Count == 0) return;
            Console.WriteLine("buffers (saved with the weights, not parameters):");
            foreach (var t in network.BufferLayout.Tensors) Console.WriteLine($"  {t.Name,-32} {t.ShapeText,-16} {t.Count,12:N0}");
        });
        return command;
    }

    private static Command Hvp()
    {
        var inputs = new ModelInputs();
        var vector = new Option<string>("--vector") { Description = "direction V.npy, flat, in the order of `model info`", Required = true };
        var output = new Option<string>("--out") { Description = "where to write H·v (.npy)", Required = true };
        var gradOut = new Option<string?>("--grad-out") { Description = "also write the gradient (.npy)" };
        var dtype = CommonOptions.Dtype("f64");
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var command = new Command("hvp", "Exact Hessian-vector product of the mean loss over all rows of X (R-operator, not finite differences).");
        foreach (var option in inputs.Options) command.Options.Add(option);
        foreach (var option in new Option[] { vector, output, gradOut, dtype, threads, json }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var request = new HvpRequest(inputs.Paths(parse), parse.GetValue(vector)!, parse.GetValue(output)!, parse.GetValue(gradOut));
            var (lossValue, seconds) = parse.GetValue(dtype) == "f32" ? RunHvp<float>(request) : RunHvp<double>(request);
            if (parse.GetValue(json)) CommandRunner.WriteJson(new { loss = lossValue, seconds });
            else Console.WriteLine($"loss {lossValue:R}  ({seconds:F3} s); H·v written to {request.Output}");
        });
        return command;
    }

    private sealed record HvpRequest(ModelInputPaths Model, string Vector, string Output, string? GradOut);

    private static (double Loss, double Seconds) RunHvp<T>(HvpRequest r) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (_, network, samples, theta, lossFunction) = ModelInputs.Load<T>(r.Model);
        var direction = ModelInputs.ReadVector<T>(r.Vector, network.ParameterCount, "the direction --vector");

        var clock = Stopwatch.StartNew();
        var objective = new Objective<T>(network, lossFunction, samples);
        var gradient = new T[network.ParameterCount];
        var loss = objective.Linearize(theta, gradient);
        var hv = new T[network.ParameterCount];
        objective.HessianVectorProduct(direction, hv);
        var seconds = clock.Elapsed.TotalSeconds;
        ModelInputs.WriteVector<T>(r.Output, hv);
        if (r.GradOut is not null) ModelInputs.WriteVector<T>(r.GradOut, gradient);
        return (loss, seconds);
    }
}
