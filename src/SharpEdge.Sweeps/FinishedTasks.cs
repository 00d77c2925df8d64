using System.Globalization;
using System.Text.Json.Nodes;
using SharpEdge.Runs;

namespace SharpEdge.Sweeps;

/// <summary>A done task of a sweep with its run and the axis values that picked it.</summary>
public sealed record FinishedTask(RunRecord Run, IReadOnlyDictionary<string, string> Axes)
{
    /// <summary>The task's value on a numeric axis.</summary>
    public double Number(string axis) =>
        Axes.TryGetValue(axis, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
            : throw new ArgumentException($"axis '{axis}' has a value that is not a number ('{text}'); only numeric axes can be drawn");

    /// <summary>
    /// 2/η of a plain-SGD <c>train</c> run, from the learning rate in its config (an axis or a fixed flag alike);
    /// null for other kinds of run, whose lr is no SGD step size, and for momentum or Adam, whose threshold is not 2/η.
    /// </summary>
    public double? StabilityThreshold =>
        Run.Kind == "train" && Optimizer == "sgd" && Momentum == 0 && Run.Config["lr"] is JsonValue lr && lr.TryGetValue(out double eta) && eta > 0
            ? 2 / eta : null;

    /// <summary>Why <see cref="StabilityThreshold"/> is null, as the end of a sentence "run N …"; null when it is not.</summary>
    public string? NoThresholdReason =>
        StabilityThreshold is not null ? null
        : Run.Kind != "train" ? $"is a {Run.Kind} run"
        : Optimizer != "sgd" ? $"trains with {Optimizer}"
        : Momentum != 0 ? $"trains with momentum {Momentum.ToString(CultureInfo.InvariantCulture)}"
        : "has no positive lr in its config";

    // absent in the config: the defaults of `train` (plain SGD)
    private string Optimizer => Run.Config["optimizer"] is JsonValue v && v.TryGetValue(out string? name) ? name : "sgd";
    private double Momentum => Run.Config["momentum"] is JsonValue v && v.TryGetValue(out double beta) ? beta : 0;
}

/// <summary>The done tasks of one sweep that have a run in the store: what sweep figures are drawn from.</summary>
public sealed class FinishedTasks
{
    private FinishedTasks(string sweep, IReadOnlyList<FinishedTask> tasks)
    {
        Sweep = sweep;
        Tasks = tasks;
        Axes = tasks.SelectMany(t => t.Axes.Keys).Distinct().ToList();
    }

    public string Sweep { get; }
    public IReadOnlyList<FinishedTask> Tasks { get; }
    /// <summary>The axes the tasks vary, in the spec's order.</summary>
    public IReadOnlyList<string> Axes { get; }

    /// <summary>The done tasks of <paramref name="sweep"/>; throws when none is done yet.</summary>
    public static FinishedTasks Load(RunStore store, string sweep)
    {
        var tasks = store.Tasks(sweep, SweepTaskState.Done).Where(t => t.RunId is not null)
            .Select(t => new FinishedTask(store.GetRun(t.RunId!.Value), AxesOf(t.Axes))).ToList();
        if (tasks.Count == 0) throw new ArgumentException($"sweep {sweep}: no task is done yet (see `sharpedge sweep status {sweep}`)");
        return new FinishedTasks(sweep, tasks);
    }

    /// <summary>Throws unless the sweep varies <paramref name="axis"/>.</summary>
    public void RequireAxis(string axis)
    {
        if (!Axes.Contains(axis)) throw new ArgumentException($"sweep {Sweep} has no axis '{axis}' (its axes: {string.Join(", ", Axes)})");
    }

    private static Dictionary<string, string> AxesOf(string json) =>
        JsonNode.Parse(json)!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>());
}
