using System.Reflection;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// Every measurement by name: the list that CLI flags, results columns and plots read. It holds one instance of
/// each concrete <see cref="IMeasurement"/> class of this assembly (found by reflection, so a new measurement is
/// one new file) and owns the naming convention: kebab-case measurement names on the command line and in JSON
/// (<c>lambda-max</c>), snake_case metric names in stores (<c>lambda_max</c>).
/// </summary>
public static class MeasurementRegistry
{
    private static readonly Lazy<IReadOnlyList<IMeasurement>> all = new(Discover);

    /// <summary>Every measurement with its default argument, sorted by name.</summary>
    public static IReadOnlyList<IMeasurement> All => all.Value;

    /// <summary>The measurement called <paramref name="name"/> (kebab-case), with its default argument.</summary>
    public static IMeasurement Find(string name) =>
        TryFind(name) ?? throw new ArgumentException(UnknownMessage(name));

    public static IMeasurement? TryFind(string name) => All.FirstOrDefault(m => m.Name == name);

    /// <summary>The stored metric name of a measurement name: kebab-case to snake_case (<c>top-k</c> → <c>top_k</c>).</summary>
    public static string MetricName(string measurementName) => measurementName.Replace('-', '_');

    /// <summary>The measurement name of a stored metric name (the inverse of <see cref="MetricName"/>).</summary>
    public static string MeasurementName(string metricName) => metricName.Replace('_', '-');

    /// <summary>
    /// Parses a comma-separated list such as <c>lambda-max,top-k=5,batch-sharpness</c>. Errors name the offending
    /// entry and list the known measurements; a name may appear once.
    /// </summary>
    public static IReadOnlyList<IMeasurement> Parse(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var entries = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (entries.Length == 0) throw new ArgumentException($"no measurement given (known: {KnownList()})");
        var result = new List<IMeasurement>();
        foreach (var entry in entries)
        {
            var equals = entry.IndexOf('=');
            var name = equals < 0 ? entry : entry[..equals].Trim();
            var measurement = TryFind(name) ?? throw new ArgumentException(UnknownMessage(name));
            if (result.Any(m => m.Name == name)) throw new ArgumentException($"measurement '{name}' is listed twice");
            if (equals >= 0)
            {
                var text = entry[(equals + 1)..].Trim();
                if (measurement.Argument is not { } argument) throw new ArgumentException($"{name} takes no argument (got '{entry}')");
                if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value))
                    throw new ArgumentException($"{entry}: {argument.Name} must be an integer in [{argument.Minimum}, {argument.Maximum}] ({argument.Description})");
                measurement = measurement.WithArgument(value);
            }
            result.Add(measurement);
        }
        return result;
    }

    /// <summary>Known names, with the argument where there is one (<c>top-k[=k]</c>).</summary>
    public static string KnownList() =>
        string.Join(", ", All.Select(m => m.Argument is { } a ? $"{m.Name}[={a.Name}]" : m.Name));

    private static string UnknownMessage(string name)
    {
        var hint = "";
        var kebab = MeasurementName(name.Trim().ToLowerInvariant());
        if (TryFind(kebab) is { } exact) hint = $"; did you mean '{exact.Name}'?";
        else if (All.MinBy(m => EditDistance(m.Name, kebab)) is { } near && EditDistance(near.Name, kebab) <= 3) hint = $"; did you mean '{near.Name}'?";
        return $"unknown measurement '{name}'{hint} (known: {KnownList()})";
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    private static IReadOnlyList<IMeasurement> Discover()
    {
        var measurements = typeof(IMeasurement).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IMeasurement).IsAssignableFrom(t))
            .Select(t => (IMeasurement)(Activator.CreateInstance(t)
                ?? throw new InvalidOperationException($"measurement {t.Name} needs a public parameterless constructor")))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var group in measurements.GroupBy(m => m.Name))
            if (group.Count() > 1) throw new InvalidOperationException($"measurement name '{group.Key}' is used by {string.Join(" and ", group.Select(m => m.GetType().Name))}");
        foreach (var m in measurements)
            if (m.Name.Length == 0 || m.Name.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
                throw new InvalidOperationException($"measurement name '{m.Name}' of {m.GetType().Name} is not kebab-case");
        return measurements;
    }
}
