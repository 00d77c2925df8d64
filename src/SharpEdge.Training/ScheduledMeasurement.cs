using SharpEdge.Curvature.Measurements;

namespace SharpEdge.Training;

/// <summary>A measurement of the registry with the cadence at which training takes it.</summary>
public sealed record ScheduledMeasurement(IMeasurement Measurement, MeasurementCadence Cadence)
{
    /// <summary>
    /// Parses <c>--measure</c>: the registry's comma-separated list (<c>lambda-max,top-k=5</c>), where each entry
    /// may end in <c>@CADENCE</c> (<see cref="MeasurementCadence"/>); entries without one are taken every
    /// <paramref name="defaultEvery"/> steps. Empty text means no measurements.
    /// </summary>
    public static IReadOnlyList<ScheduledMeasurement> ParseList(string list, int defaultEvery)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (string.IsNullOrWhiteSpace(list)) return [];
        var entries = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var names = entries.Select(e => e.IndexOf('@') is var at and >= 0 ? e[..at].Trim() : e).ToArray();
        if (Array.FindIndex(names, n => n.Length == 0) is var empty and >= 0) throw new ArgumentException($"'{entries[empty]}' names no measurement");
        var measurements = MeasurementRegistry.Parse(string.Join(",", names));
        var result = new ScheduledMeasurement[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            var at = entries[i].IndexOf('@');
            result[i] = new(measurements[i], at < 0 ? MeasurementCadence.Every(defaultEvery) : MeasurementCadence.Parse(entries[i][(at + 1)..], measurements[i]));
        }
        return result;
    }
}
