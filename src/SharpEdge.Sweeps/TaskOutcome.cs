using System.Text.Json;
using SharpEdge.Numerics.Io;

namespace SharpEdge.Sweeps;

/// <summary>
/// How one attempt of a task ended, as written to <c>outcome.json</c> in the task folder once its process has
/// exited: the marker that <c>sweep collect</c> reads (a task folder without one is still running or was lost).
/// </summary>
public sealed record TaskOutcome(string Key, int ExitCode, double Seconds, string? Error, string Host, DateTime Finished)
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public bool Succeeded => ExitCode == 0;

    public void Write(string folder) =>
        AtomicFile.WriteText(Path.Combine(folder, SweepFolder.OutcomeFile), writer => writer.Write(JsonSerializer.Serialize(this, Options)));

    /// <summary>The marker in <paramref name="folder"/>, or null when there is none (or it cannot be read).</summary>
    public static TaskOutcome? Read(string folder)
    {
        var path = Path.Combine(folder, SweepFolder.OutcomeFile);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<TaskOutcome>(File.ReadAllText(path), Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
