using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SharpEdge.Sweeps;

/// <summary>
/// Reads a sweep spec from YAML and checks its shape, naming the file, line and key of the first problem:
/// <code>
/// name: tiny
/// command: phase train
/// args: {epochs: 20, seeds: 2, batches: 20, out: runs/tiny}
/// grid:                                  # every combination, first axis outermost
///   lr: [1, 2]
///   eps: {log: [0.125, 256], factor: 2}  # or {log: [lo, hi], num: n}, {linear: [lo, hi], num: n}
/// zip:                                   # flags that move together: one axis per group
///   - {batch: [8, 16], lr: [0.01, 0.02]}
/// seeds:                                 # the seed axis, innermost; figures take medians over it
///   seed: {count: 3}                     # or a list; {count: n, start: s}
/// retries: 1
/// slurm: {time: "01:00:00", mem: 2G, partition: cpu, account: me}
/// </code>
/// Whether each flag exists for the command is checked later, against the command itself.
/// </summary>
public static partial class SweepSpecReader
{
    private static readonly string[] TopKeys = ["name", "command", "args", "grid", "zip", "seeds", "retries", "slurm"];
    private static readonly string[] SlurmKeys = ["time", "mem", "partition", "account", "gres", "qos", "constraint", "max-array-size"];

    public static SweepSpec ReadFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such sweep spec");
        return Parse(File.ReadAllText(path), path);
    }

    public static SweepSpec Parse(string text, string source = "spec")
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new FormatException($"{source}: not valid YAML at line {e.Start.Line}: {e.Message}", e);
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new FormatException($"{source}: a sweep spec is one YAML mapping (name:, command:, args:, grid:, …)");
        var reader = new Reader(source);
        return reader.Spec(root, text);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    private static partial Regex KeyPattern();

    private sealed class Reader(string source)
    {
        private readonly Dictionary<string, string> seen = []; // flag → where it was given

        public SweepSpec Spec(YamlMappingNode root, string text)
        {
            var map = Mapping(root, "", TopKeys);
            var name = Scalar(Required(map, "name"), "name");
            if (!NamePattern().IsMatch(name)) throw Error(map["name"], "name", $"'{name}' is not a sweep name (letters, digits, '.', '_', '-')");
            var command = string.Join(' ', Scalar(Required(map, "command"), "command").Split(' ', StringSplitOptions.RemoveEmptyEntries));
            if (!SweepSpec.Commands.Contains(command))
                throw Error(map["command"], "command", $"'{command}' cannot be swept (one of: {string.Join(", ", SweepSpec.Commands)})");

            var args = new List<KeyValuePair<string, string?>>();
            if (map.TryGetValue("args", out var argsNode))
                foreach (var (keyNode, valueNode) in Mapping(argsNode, "args", null))
                {
                    var key = Flag(keyNode, "args");
                    var path = $"args.{key}";
                    if (valueNode is not YamlScalarNode scalar)
                        throw Error(valueNode, path, "a fixed flag takes one value (put lists of values under grid:)");
                    if (IsBool(scalar, out bool on))
                    {
                        if (on) args.Add(new(key, null));
                        continue;
                    }
                    args.Add(new(key, Value(scalar, path)));
                }

            var axes = new List<SweepAxis>();
            if (map.TryGetValue("grid", out var gridNode))
                foreach (var (keyNode, valueNode) in Mapping(gridNode, "grid", null))
                {
                    var key = Flag(keyNode, "grid");
                    axes.Add(new SweepAxis([key], [Values(valueNode, $"grid.{key}")]));
                }
            if (map.TryGetValue("zip", out var zipNode))
            {
                if (zipNode is not YamlSequenceNode groups) throw Error(zipNode, "zip", "a list of groups, each a mapping of flags to lists of equal length");
                int g = 0;
                foreach (var group in groups) axes.Add(Zipped(group, $"zip[{g++}]", isSeed: false));
            }
            if (map.TryGetValue("seeds", out var seedsNode)) axes.Add(Zipped(seedsNode, "seeds", isSeed: true));

            int retries = 1;
            if (map.TryGetValue("retries", out var retriesNode))
                retries = int.TryParse(Scalar(retriesNode, "retries"), NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r <= 100
                    ? r : throw Error(retriesNode, "retries", "a whole number from 0 to 100");
            var slurm = new SlurmSettings();
            if (map.TryGetValue("slurm", out var slurmNode))
            {
                var s = Mapping(slurmNode, "slurm", SlurmKeys);
                string? Get(string k) => s.TryGetValue(k, out var n) ? Scalar(n, $"slurm.{k}") : null;
                int? arraySize = Get("max-array-size") is { } m
                    ? int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size >= 1 ? size : throw Error(s["max-array-size"], "slurm.max-array-size", "a positive whole number")
                    : null;
                slurm = new SlurmSettings { Time = Get("time"), Memory = Get("mem"), Partition = Get("partition"), Account = Get("account"),
                                           Gres = Get("gres"), Qos = Get("qos"), Constraint = Get("constraint"), MaxArraySize = arraySize };
            }
            return new SweepSpec { Name = name, Command = command, Args = args, Axes = axes, Retries = retries, Slurm = slurm, Text = text };
        }

        private SweepAxis Zipped(YamlNode node, string path, bool isSeed)
        {
            var keys = new List<string>();
            var values = new List<IReadOnlyList<string>>();
            foreach (var (keyNode, valueNode) in Mapping(node, path, null))
            {
                var key = Flag(keyNode, path);
                keys.Add(key);
                values.Add(Values(valueNode, $"{path}.{key}"));
            }
            if (keys.Count == 0) throw Error(node, path, "empty (no flags)");
            var lengths = values.Select(v => v.Count).Distinct().ToList();
            if (lengths.Count > 1)
                throw Error(node, path, $"flags that move together need lists of the same length, got {string.Join(", ", keys.Select((k, i) => $"{k}: {values[i].Count}"))}");
            return new SweepAxis(keys, values, isSeed);
        }

        /// <summary>A list of values, or a range: {log: [lo, hi], num: n | factor: f}, {linear: [lo, hi], num: n}, {count: n, start: s}.</summary>
        private IReadOnlyList<string> Values(YamlNode node, string path)
        {
            IReadOnlyList<string> values;
            switch (node)
            {
                case YamlSequenceNode list:
                    values = list.Children.Select((item, i) => item is YamlScalarNode s && !IsBool(s, out _)
                        ? Value(s, $"{path}[{i}]")
                        : throw Error(item, $"{path}[{i}]", "axis values are numbers or text")).ToList();
                    break;
                case YamlMappingNode range:
                    values = Range(range, path);
                    break;
                case YamlScalarNode scalar:
                    values = [Value(scalar, path)];
                    break;
                default:
                    throw Error(node, path, "a list of values or a range");
            }
            if (values.Count == 0) throw Error(node, path, "empty axis (no values)");
            return values;
        }

        private IReadOnlyList<string> Range(YamlMappingNode node, string path)
        {
            var map = Mapping(node, path, ["log", "linear", "num", "factor", "count", "start"]);
            double Number(string key) => double.TryParse(Scalar(map[key], $"{path}.{key}"), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                ? v : throw Error(map[key], $"{path}.{key}", "not a number");
            int Whole(string key) => int.TryParse(Scalar(map[key], $"{path}.{key}"), NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                ? v : throw Error(map[key], $"{path}.{key}", "not a whole number");
            try
            {
                if (map.ContainsKey("count"))
                {
                    long start = map.ContainsKey("start") ? (long)Number("start") : 0;
                    return AxisValues.Count(start, Whole("count"));
                }
                string kind = map.ContainsKey("log") ? "log" : map.ContainsKey("linear") ? "linear"
                    : throw Error(node, path, "a range is {log: [lo, hi], num: n}, {log: [lo, hi], factor: f}, {linear: [lo, hi], num: n} or {count: n, start: s}");
                if (map[kind] is not YamlSequenceNode { Children.Count: 2 } ends)
                    throw Error(map[kind], $"{path}.{kind}", "the two ends of the range, [low, high]");
                double Bound(int i) => double.TryParse(Scalar(ends[i], $"{path}.{kind}[{i}]"), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                    ? v : throw Error(ends[i], $"{path}.{kind}[{i}]", "not a number");
                if (kind == "log" && map.ContainsKey("factor")) return AxisValues.LogByFactor(Bound(0), Bound(1), Number("factor"));
                if (!map.ContainsKey("num")) throw Error(node, path, $"a {kind} range needs num: (or factor: for log)");
                return kind == "log" ? AxisValues.LogByCount(Bound(0), Bound(1), Whole("num")) : AxisValues.Linear(Bound(0), Bound(1), Whole("num"));
            }
            catch (ArgumentException e)
            {
                throw Error(node, path, e.Message);
            }
        }

        private string Flag(YamlNode keyNode, string path)
        {
            var raw = Scalar(keyNode, path);
            var key = raw.TrimStart('-');
            if (!KeyPattern().IsMatch(key)) throw Error(keyNode, path, $"'{raw}' is not a flag name");
            if (SweepSpec.ReservedKeys.Contains(key))
                throw Error(keyNode, $"{path}.{key}", $"--{key} is set by the sweep itself (use --threads-per-worker and --results of `sweep run`)");
            if (seen.TryGetValue(key, out var before)) throw Error(keyNode, $"{path}.{key}", $"--{key} is already given in {before}");
            seen[key] = path;
            return key;
        }

        private string Value(YamlScalarNode scalar, string path)
        {
            if (scalar.Style == ScalarStyle.Plain && (scalar.Value is null or "" or "~" or "null"))
                throw Error(scalar, path, "no value");
            var text = scalar.Value ?? "";
            return scalar.Style == ScalarStyle.Plain ? AxisValues.Canonical(text) : text;
        }

        private static bool IsBool(YamlScalarNode scalar, out bool value)
        {
            value = scalar.Value is "true" or "True" or "TRUE";
            return scalar.Style == ScalarStyle.Plain && (value || scalar.Value is "false" or "False" or "FALSE");
        }

        private string Scalar(YamlNode node, string path) =>
            node is YamlScalarNode { Value: { } v } && v.Length > 0 ? v.Trim() : throw Error(node, path, "expected one value");

        private YamlNode Required(Dictionary<string, YamlNode> map, string key) =>
            map.TryGetValue(key, out var node) ? node : throw new FormatException($"{source}: missing '{key}:' at the top level");

        private Dictionary<string, YamlNode> Mapping(YamlNode node, string path, string[]? allowed)
        {
            if (node is not YamlMappingNode mapping) throw Error(node, path.Length == 0 ? "spec" : path, "expected a mapping (key: value)");
            var map = new Dictionary<string, YamlNode>();
            foreach (var (k, v) in mapping.Children)
            {
                var key = k is YamlScalarNode { Value: { } text } ? text : throw Error(k, path, "keys are plain names");
                if (allowed is not null && !allowed.Contains(key))
                    throw Error(k, path.Length == 0 ? key : $"{path}.{key}", $"unknown key (expected {string.Join(", ", allowed)})");
                if (!map.TryAdd(key, v)) throw Error(k, path.Length == 0 ? key : $"{path}.{key}", "given twice");
            }
            return map;
        }

        private FormatException Error(YamlNode node, string path, string problem) =>
            new($"{source} line {node.Start.Line}: {path}: {problem}");
    }
}
