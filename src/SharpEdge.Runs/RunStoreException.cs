namespace SharpEdge.Runs;

/// <summary>A run-store failure whose message names the database file and what is wrong with it.</summary>
public sealed class RunStoreException : Exception
{
    public RunStoreException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        StorePath = path;
    }

    public string StorePath { get; }
}
