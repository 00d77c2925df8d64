using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SharpEdge.Gpu;

/// <summary>What ptxas reports for one entry function: registers per thread and the local memory it spills to.</summary>
public sealed record PtxasEntry(string Function, int Registers, int SpillStoreBytes, int SpillLoadBytes, int StackFrameBytes);

/// <summary>
/// NVIDIA's PTX assembler as a developer tool (<c>bench ptx</c>, <c>scripts/fetch-ptxas.sh</c>): registers and spills of
/// <see cref="KernelPtx"/>'s kernels on a machine without a GPU, so register pressure can be tuned offline. Never
/// needed to build, test or run anything.
/// </summary>
public static partial class Ptxas
{
    /// <summary>The H100's architecture, the one the kernels are tuned for.</summary>
    public const string Architecture = "sm_90";

    // The newest PTX ISA that ptxas 11.8 (Debian's nvidia-cuda-toolkit) reads; ILGPU declares 8.0 though it uses
    // nothing newer than 7.8.
    private const string MaxIsaVersion = "7.8";

    /// <summary>
    /// <paramref name="ptx"/> made readable by ptxas 11.8 for <see cref="Architecture"/>: <c>.version</c> lowered to 7.8
    /// where newer, <c>.target</c> set to sm_90 (ILGPU writes sm_80 for ISA 8.0), and with <paramref name="blocksPerSm"/>
    /// the <c>.minnctapersm</c> bound (thread blocks per SM, which caps registers per thread) replaced.
    /// </summary>
    public static string Prepare(string ptx, int? blocksPerSm = null)
    {
        ArgumentNullException.ThrowIfNull(ptx);
        var version = VersionLine().Match(ptx);
        if (!version.Success) throw new ArgumentException("PTX without a .version line");
        if (new Version(version.Groups[1].Value) > new Version(MaxIsaVersion))
            ptx = ptx[..version.Groups[1].Index] + MaxIsaVersion + ptx[(version.Groups[1].Index + version.Groups[1].Length)..];
        if (!TargetLine().IsMatch(ptx)) throw new ArgumentException("PTX without a .target line");
        ptx = TargetLine().Replace(ptx, "${1}" + Architecture, 1);
        if (blocksPerSm is { } blocks)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1, nameof(blocksPerSm));
            if (!MinBlocksLine().IsMatch(ptx)) throw new ArgumentException("PTX without .minnctapersm: its kernel sets no blocks per SM");
            ptx = MinBlocksLine().Replace(ptx, "${1}" + blocks.ToString(CultureInfo.InvariantCulture));
        }
        return ptx;
    }

    /// <summary>Whether <paramref name="ptx"/> bounds its thread blocks per SM (<c>.minnctapersm</c>), as the paper-shape kernel does.</summary>
    public static bool HasBlocksPerSm(string ptx) => MinBlocksLine().IsMatch(ptx);

    /// <summary>
    /// The entry functions in the output of <c>ptxas -v</c> (its "info" lines, on stderr), in order. Properties of
    /// called (non-entry) functions are ignored; an entry without a spill line counts zero spills.
    /// </summary>
    public static IReadOnlyList<PtxasEntry> ParseVerbose(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var entries = new List<PtxasEntry>();
        var properties = new Dictionary<string, (int Stack, int Stores, int Loads)>();
        string? entry = null, propertiesOf = null;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            if (CompilingEntry().Match(line) is { Success: true } compiling) (entry, propertiesOf) = (compiling.Groups[1].Value, null);
            else if (FunctionProperties().Match(line) is { Success: true } header) propertiesOf = header.Groups[1].Value.Trim('\'');
            else if (SpillLine().Match(line) is { Success: true } spill && propertiesOf is not null)
            {
                properties[propertiesOf] = (Int(spill, 1), Int(spill, 2), Int(spill, 3));
                propertiesOf = null;
            }
            else if (UsedRegisters().Match(line) is { Success: true } used && entry is not null)
            {
                var (stack, stores, loads) = properties.GetValueOrDefault(entry);
                entries.Add(new PtxasEntry(entry, Int(used, 1), stores, loads, stack));
                entry = null;
            }
        }
        return entries;
    }

    /// <summary>
    /// Assembles <paramref name="ptxFile"/> (already <see cref="Prepare"/>d) with <c>-O3 -v</c> for sm_90 into a .cubin
    /// beside it and returns its entry functions; throws with ptxas's own message if it fails.
    /// </summary>
    public static IReadOnlyList<PtxasEntry> Run(string ptxas, string ptxFile)
    {
        var start = new ProcessStartInfo(ptxas) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { $"-arch={Architecture}", "-O3", "-v", ptxFile, "-o", Path.ChangeExtension(ptxFile, ".cubin") })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {ptxas}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        string output = stdout.Result + stderr;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{ptxas} failed on {ptxFile} (exit {process.ExitCode}): {output.Trim()}");
        var entries = ParseVerbose(output);
        if (entries.Count == 0) throw new InvalidDataException($"{ptxas} -v reported no entry function for {ptxFile}: {output.Trim()}");
        return entries;
    }

    private static int Int(Match match, int group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*\.version\s+(\d+\.\d+)", RegexOptions.Multiline)]
    private static partial Regex VersionLine();

    [GeneratedRegex(@"^(\s*\.target\s+)sm_\d+[a-z]?", RegexOptions.Multiline)]
    private static partial Regex TargetLine();

    [GeneratedRegex(@"^(\s*\.minnctapersm\s+)\d+", RegexOptions.Multiline)]
    private static partial Regex MinBlocksLine();

    [GeneratedRegex(@"Compiling entry function '([^']+)'")]
    private static partial Regex CompilingEntry();

    [GeneratedRegex(@"Function properties for (\S+)")]
    private static partial Regex FunctionProperties();

    [GeneratedRegex(@"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads")]
    private static partial Regex SpillLine();

    [GeneratedRegex(@"Used (\d+) registers")]
    private static partial Regex UsedRegisters();
}
