using System.CommandLine;
using System.Text.Json;
using SharpEdge.Numerics;

namespace SharpEdge.Cli;

/// <summary>
/// Runs a parsed command line with the project's conventions: JSON documents alone on stdout, logs on stderr,
/// and every failure as one line "sharpedge: error: …" with a non-zero exit code.
/// </summary>
public static class CommandRunner
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    public static int Run(RootCommand root, string[] args)
    {
        SweepTaskGuard.WatchIfTask();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"sharpedge: error: {error.Message}");
            return 2;
        }
        try
        {
            // compute commands declare --threads as Option<int?>; bench commands use it for a list of counts
            if (parse.CommandResult.Command.Options.OfType<Option<int?>>().FirstOrDefault(o => o.Name == "--threads") is { } threadOption
                && parse.GetValue(threadOption) is { } threads)
                Parallelism.Threads = threads;
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or InvalidOperationException
                                      or NotSupportedException or UnauthorizedAccessException or FormatException
                                      or KeyNotFoundException or Numerics.Io.TensorFileException)
        {
            Console.Error.WriteLine($"sharpedge: error: {e.Message}");
            return 1;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"sharpedge: internal error: {e.GetType().Name}: {e.Message}" +
                (Environment.GetEnvironmentVariable("SHARPEDGE_DEBUG") == "1" ? Environment.NewLine + e : " (SHARPEDGE_DEBUG=1 shows the stack)"));
            return 70;
        }
    }

    /// <summary>Wraps an action so that exceptions reach <see cref="Run"/> instead of System.CommandLine's handler.</summary>
    public static void SetAction(this Command command, Action<ParseResult> action) =>
        command.SetAction(parse => { action(parse); return 0; });

    public static void WriteJson(object document) => Console.Out.WriteLine(JsonSerializer.Serialize(document, JsonOptions));

    /// <summary>A log line on stderr, so stdout stays clean for JSON.</summary>
    public static void Log(string message) => Console.Error.WriteLine(message);
}
