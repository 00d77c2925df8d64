using System.Text.Json;
using SharpEdge.Numerics.Io;

namespace SharpEdge.Sweeps.Slurm;

/// <summary>
/// What one array job runs: element i runs <see cref="Tasks"/>[i]. Written next to the batch script and read by
/// <c>sharpedge sweep exec CHUNK --index $SLURM_ARRAY_TASK_ID</c> on the compute node, which needs nothing else
/// (no access to the run store).
/// </summary>
public sealed record SlurmChunk(string Sweep, IReadOnlyList<string> Command, string Folder, string WorkingDirectory, int Threads, IReadOnlyList<SlurmChunkTask> Tasks)
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public void Write(string path) => AtomicFile.WriteText(path, w => w.Write(JsonSerializer.Serialize(this, Options)));

    public static SlurmChunk Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such array chunk");
        try
        {
            return JsonSerializer.Deserialize<SlurmChunk>(File.ReadAllText(path), Options) ?? throw new InvalidDataException($"{path}: empty array chunk");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not an array chunk ({e.Message})", e);
        }
    }
}

public sealed record SlurmChunkTask(string Key, IReadOnlyList<string> Args);
