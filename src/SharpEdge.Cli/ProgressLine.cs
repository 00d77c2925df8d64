using System.Diagnostics;
using Spectre.Console;

namespace SharpEdge.Cli;

/// <summary>
/// Progress of long work on stderr: one live line on an interactive terminal, plain lines every
/// <see cref="PlainInterval"/> otherwise (Spectre's live widgets print nothing when stderr is not a terminal).
/// Thread-safe; reports may come from worker threads.
/// </summary>
public sealed class ProgressLine(string label)
{
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LiveInterval = TimeSpan.FromMilliseconds(200);

    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly bool interactive = !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive;
    private readonly Lock gate = new();
    private TimeSpan? lastPrinted;
    private int lastWidth;

    public void Report(double fraction, TimeSpan? remaining, string detail)
    {
        lock (gate)
        {
            var now = clock.Elapsed;
            if (lastPrinted is { } last && now - last < (interactive ? LiveInterval : PlainInterval)) return;
            lastPrinted = now;
            var eta = remaining is { } r ? $", ETA {Format(r)}" : "";
            var text = $"{label}: {fraction * 100,5:F1} %  {detail}, elapsed {Format(now)}{eta}";
            if (interactive)
            {
                Console.Error.Write("\r" + text.PadRight(lastWidth));
                lastWidth = text.Length;
            }
            else Console.Error.WriteLine(text);
        }
    }

    public void Done()
    {
        lock (gate)
            if (interactive && lastWidth > 0) Console.Error.WriteLine();
    }

    private static string Format(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:00}s" : $"{t.TotalSeconds:F1}s";
}
