using System.ComponentModel;
using System.Diagnostics;

namespace SharpEdge.Runs;

/// <summary>Whether the process that owns a 'running' run is still alive on this host.</summary>
public static class ProcessProbe
{
    // Process start times come from /proc with clock-tick resolution; allow for that and small clock steps.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2);

    /// <summary>
    /// True when a process with this pid exists and started before the run was created. A process that started
    /// later only reuses the pid. When the process cannot be inspected, it is assumed alive (never mark a live
    /// run interrupted).
    /// </summary>
    public static bool IsAlive(int pid, DateTime runCreatedUtc)
    {
        if (pid <= 0) return true;
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return false;
            return process.StartTime.ToUniversalTime() <= runCreatedUtc + Slack;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false; // exited while we looked
        }
        catch (Win32Exception)
        {
            return true;
        }
        catch (NotSupportedException)
        {
            return true;
        }
    }
}
