using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using SharpEdge.Runs;

namespace SharpEdge.Sweeps;

/// <summary>
/// One task of an expanded sweep: its axis values and the flags it runs with. The key is a hash of the command
/// and the flags in a fixed (sorted) order, so it does not depend on how the spec was written, and the same
/// spec gives the same keys every time.
/// </summary>
public sealed record SweepTask(string Key, int Position, IReadOnlyList<KeyValuePair<string, string>> AxisValues, IReadOnlyList<string> Args)
{
    public string Label => string.Join(' ', AxisValues.Select(a => $"{a.Key}={a.Value}"));

    public string AxesJson()
    {
        var axes = new JsonObject();
        foreach (var (key, value) in AxisValues) axes[key] = value;
        return axes.ToJsonString();
    }

    public SweepTaskDraft ToDraft() => new(Key, Position, Label, AxesJson(), Args);

    /// <summary>16 hex digits of the SHA-256 of the command and its flags.</summary>
    public static string KeyOf(string command, IReadOnlyList<string> args)
    {
        var text = string.Join('\0', [command, .. args]);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }
}
