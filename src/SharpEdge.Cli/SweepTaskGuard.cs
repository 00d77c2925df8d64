using SharpEdge.Sweeps;

namespace SharpEdge.Cli;

/// <summary>
/// A sweep task (<c>SHARPEDGE_SWEEP_TASK=1</c>) ends itself when the sweep process that started it is gone: its
/// stdin is a pipe that process holds, and reading it returns end-of-file once that process has died, even by
/// <c>kill -9</c>. So a killed sweep leaves no task running on behind <c>sweep resume</c>'s back.
/// </summary>
public static class SweepTaskGuard
{
    public const int ExitCode = 129;

    public static void WatchIfTask()
    {
        if (Environment.GetEnvironmentVariable(TaskAttempt.TaskEnvironmentVariable) != "1") return;
        var watcher = new Thread(() =>
        {
            using var stdin = Console.OpenStandardInput();
            var buffer = new byte[256];
            try
            {
                while (stdin.Read(buffer, 0, buffer.Length) > 0) { }
            }
            catch (IOException)
            {
            }
            Console.Error.WriteLine("sharpedge: error: the sweep process that started this task is gone; stopping the task");
            Environment.Exit(ExitCode);
        }) { IsBackground = true, Name = "sweep task guard" };
        watcher.Start();
    }
}
