using System.Diagnostics;

namespace SharpEdge.Data.Tests;

/// <summary>Runs a snippet with the system's python3 when numpy is importable (independent cross-checks; skipped otherwise).</summary>
public static class PythonNumpy
{
    private const string Python = "/usr/bin/python3";
    private static readonly Lazy<bool> Present = new(() => File.Exists(Python) && TryRun("import numpy", out _));

    public static bool Available => Present.Value;

    public static string Run(string code)
    {
        if (!TryRun(code, out var output)) throw new InvalidOperationException($"python failed: {output}");
        return output;
    }

    private static bool TryRun(string code, out string output)
    {
        try
        {
            var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            start.ArgumentList.Add("-");
            using var process = Process.Start(start)!;
            process.StandardInput.Write(code);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            output = stdout.Result + stderr;
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            output = e.Message;
            return false;
        }
    }
}
