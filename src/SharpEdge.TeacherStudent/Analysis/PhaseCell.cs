using System.Text;
using SharpEdge.Numerics.Io;

namespace SharpEdge.TeacherStudent.Analysis;

/// <summary>
/// One trained (lr, eps) cell as read back from a plain-format <c>data.npz</c> (<see cref="PhaseOutput"/>):
/// every model's history and frozen matrices, and the parameters they were trained with. Shapes (S models):
/// W, dW (S, slots, K, L); loss (S, slots); Wt (S, K, L); Z (S, 1, K); M (S, L, D).
/// </summary>
public sealed class PhaseCell
{
    internal PhaseCell(string path) => Path = path;

    public string Path { get; }
    public double LearningRate { get; internal init; }
    public double StudentWidth { get; internal init; }
    public int BatchSize { get; internal init; }
    public int Epochs { get; internal init; }
    public int HiddenUnits { get; internal init; }
    public int Width { get; internal init; }
    public int InputDim { get; internal init; }
    public int Ratio { get; internal init; }
    public Activation Activation { get; internal init; }
    public int Models { get; internal init; }
    public int Slots { get; internal init; }
    public double[] Weights { get; internal init; } = [];
    public double[] Gradients { get; internal init; } = [];
    public double[] Losses { get; internal init; } = [];
    public double[] Teachers { get; internal init; } = [];
    public double[] Readouts { get; internal init; } = [];
    public double[] FirstLayers { get; internal init; } = [];
    public long[] Seeds { get; internal init; } = [];
    /// <summary>Completed epochs at each slot (1, 5 001, …, 95 001 after the initial 0 for 100 000 epochs).</summary>
    public long[] SlotEpochs { get; internal init; } = [];

    /// <summary>T = lr/bs.</summary>
    public double Temperature => LearningRate / BatchSize;

    /// <summary>Student matrix of model m at a slot (K×L, row-major).</summary>
    public ReadOnlySpan<double> Student(int model, int slot) => Weights.AsSpan((model * Slots + slot) * HiddenUnits * Width, HiddenUnits * Width);

    /// <summary>Epoch-mean gradient of model m at a slot (slot 0: full-data gradient at initialisation).</summary>
    public ReadOnlySpan<double> Gradient(int model, int slot) => Gradients.AsSpan((model * Slots + slot) * HiddenUnits * Width, HiddenUnits * Width);

    public double Loss(int model, int slot) => Losses[model * Slots + slot];
    public ReadOnlySpan<double> Teacher(int model) => Teachers.AsSpan(model * HiddenUnits * Width, HiddenUnits * Width);
    public ReadOnlySpan<double> Readout(int model) => Readouts.AsSpan(model * HiddenUnits, HiddenUnits);
    public ReadOnlySpan<double> FirstLayer(int model) => FirstLayers.AsSpan(model * Width * InputDim, Width * InputDim);

    /// <summary>Reads and checks a cell file; a foreign, pickled or inconsistent file gets an exception naming the problem.</summary>
    public static PhaseCell Load(string path)
    {
        IReadOnlyDictionary<string, NpyArray> arrays;
        try
        {
            arrays = Npz.Read(path);
        }
        catch (Exception e) when (e is TensorFileException or InvalidDataException or IOException)
        {
            throw new InvalidDataException($"{path}: not a readable cell file ({e.Message})", e);
        }
        if (arrays.ContainsKey("arr_0") && !arrays.ContainsKey("W"))
            throw new InvalidDataException($"{path}: this is phase_ml's pickled layout (one member arr_0) without the training parameters; " +
                                           "convert it with bench/phase_ml_to_npz.py (which takes lr, bs and eps from the folder name) and analyze the result");
        NpyArray Member(string name) => arrays.TryGetValue(name, out var a) ? a
            : throw new InvalidDataException($"{path}: no member '{name}': not a SharpEdge phase cell (members: {string.Join(", ", arrays.Keys)})");
        double Scalar(string name)
        {
            var a = Member(name);
            if (a.Length != 1) throw new InvalidDataException($"{path}: '{name}' should hold one value, holds {a.Length}");
            return a.Dtype == NpyDtype.Int64 ? a.AsInt64()[0] : a.AsFloat64()[0];
        }
        int Count(string name)
        {
            var v = Scalar(name);
            if (!(v >= 1 && v <= int.MaxValue) || v != Math.Floor(v)) throw new InvalidDataException($"{path}: '{name}' = {v} is not a positive integer");
            return (int)v;
        }
        var w = Member("W");
        if (w.Shape.Length != 4) throw new InvalidDataException($"{path}: W has shape ({string.Join(", ", w.Shape)}), expected (models, slots, K, L)");
        int models = w.Shape[0], slots = w.Shape[1], k = Count("K"), l = Count("L"), d = Count("D");
        void Expect(string name, params int[] shape)
        {
            var a = Member(name);
            if (!a.Shape.SequenceEqual(shape))
                throw new InvalidDataException($"{path}: {name} has shape ({string.Join(", ", a.Shape)}), expected ({string.Join(", ", shape)})");
            if (name != "seeds" && name != "save_epochs" && a.Dtype != NpyDtype.Float64)
                throw new InvalidDataException($"{path}: {name} is {a.Dtype}, expected float64");
        }
        Expect("W", models, slots, k, l);
        Expect("dW", models, slots, k, l);
        Expect("loss", models, slots);
        Expect("Wt", models, k, l);
        Expect("Z", models, TeacherStudentConfig.OutputDim, k);
        Expect("M", models, l, d);
        Expect("save_epochs", slots);
        if (models < 1) throw new InvalidDataException($"{path}: holds no models");
        var lr = Scalar("lr");
        var eps = Scalar("eps");
        if (!(lr > 0) || !double.IsFinite(lr) || !(eps > 0) || !double.IsFinite(eps))
            throw new InvalidDataException($"{path}: lr = {lr} and eps = {eps} must be positive and finite");
        return new PhaseCell(path)
        {
            LearningRate = lr, StudentWidth = eps, BatchSize = Count("bs"), Epochs = Count("epochs"), HiddenUnits = k, Width = l, InputDim = d,
            Ratio = Count("r"), Activation = ActivationFunctions.Parse(Encoding.ASCII.GetString((byte[])Member("actf").Data)),
            Models = models, Slots = slots,
            Weights = w.AsFloat64(), Gradients = Member("dW").AsFloat64(), Losses = Member("loss").AsFloat64(),
            Teachers = Member("Wt").AsFloat64(), Readouts = Member("Z").AsFloat64(), FirstLayers = Member("M").AsFloat64(),
            Seeds = arrays.TryGetValue("seeds", out var s) ? s.AsInt64() : [], SlotEpochs = Member("save_epochs").AsInt64(),
        };
    }

    /// <summary>The same cell's parameters, seeds and slot epochs without the model arrays.</summary>
    public PhaseCell Header() => new(Path)
    {
        LearningRate = LearningRate, StudentWidth = StudentWidth, BatchSize = BatchSize, Epochs = Epochs, HiddenUnits = HiddenUnits, Width = Width,
        InputDim = InputDim, Ratio = Ratio, Activation = Activation, Models = Models, Slots = Slots, Seeds = Seeds, SlotEpochs = SlotEpochs,
    };

    /// <summary>Finds every <c>data.npz</c> below <paramref name="root"/>, in a stable order.</summary>
    public static IReadOnlyList<string> Find(string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{root}: no such folder");
        var files = Directory.EnumerateFiles(root, PhaseOutput.FileName, SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new FileNotFoundException($"{root}: no {PhaseOutput.FileName} below this folder (run `sharpedge phase sweep --out {root}` first)");
        return files;
    }
}
