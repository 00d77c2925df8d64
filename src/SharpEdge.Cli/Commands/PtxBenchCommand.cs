using System.CommandLine;
using SharpEdge.Gpu;
using SharpEdge.Runs;

namespace SharpEdge.Cli.Commands;

/// <summary>
/// <c>bench ptx</c>: registers per thread and spills that ptxas gives each GPU kernel for sm_90 (the H100), on a machine
/// without a GPU, so register pressure can be tuned offline; the paper-shape kernel once per blocks-per-SM bound.
/// ptxas is NVIDIA's and not ours to ship: <c>scripts/fetch-ptxas.sh</c> fetches it; without it the PTX is still written.
/// </summary>
internal static class PtxBenchCommand
{
    // Where scripts/fetch-ptxas.sh puts ptxas by default, relative to the repository root.
    private static readonly string FetchedPtxas = Path.Combine("artifacts", "ptxas", "x", "usr", "bin", "ptxas");

    public static Command Create()
    {
        var output = new Option<string?>("--out") { Description = "folder for one .ptx per kernel (and ptxas's inputs and .cubin files); default a new temporary folder" };
        var ptxas = new Option<string?>("--ptxas")
        {
            Description = $"ptxas to run (default: ptxas on PATH, else {FetchedPtxas} under the current directory, as scripts/fetch-ptxas.sh leaves it)",
        };
        var blocks = new Option<string>("--blocks")
        {
            Description = "thread blocks per SM (.minnctapersm) of the paper-shape kernel, one ptxas run each, comma-separated",
            DefaultValueFactory = _ => "1,2,3,4",
        };
        var json = CommonOptions.Json();
        var command = new Command("ptx", "Registers and spill bytes ptxas gives each GPU kernel for sm_90, without a GPU (writes the kernels' PTX).")
        {
            output, ptxas, blocks, json,
        };
        command.SetAction(parse =>
        {
            var blockCounts = BenchCommands.ParseInts(parse.GetValue(blocks)!, "--blocks");
            string? assembler = parse.GetValue(ptxas) is { } given
                ? File.Exists(given) ? Path.GetFullPath(given) : throw new ArgumentException($"--ptxas: {given} does not exist")
                : FindPtxas();
            var folder = parse.GetValue(output) is { } dir ? Directory.CreateDirectory(dir).FullName : Directory.CreateTempSubdirectory("sharpedge-ptx-").FullName;

            CommandRunner.Log("bench ptx: compiling the kernels to PTX with ILGPU...");
            var kernels = KernelPtx.All();
            foreach (var (name, ptx) in kernels) File.WriteAllText(Path.Combine(folder, name + ".ptx"), ptx);
            CommandRunner.Log($"bench ptx: wrote {kernels.Count} PTX files to {folder}");
            if (assembler is null)
            {
                CommandRunner.Log("bench ptx: no ptxas found (not on PATH, no ./" + FetchedPtxas + "): scripts/fetch-ptxas.sh fetches it, or pass --ptxas PATH");
                if (parse.GetValue(json))
                    CommandRunner.WriteJson(new { @out = folder, ptxas = (string?)null, kernels = kernels.Select(k => new { kernel = k.Name, ptx = Path.Combine(folder, k.Name + ".ptx") }) });
                return;
            }

            var rows = new List<Row>();
            foreach (var (name, ptx) in kernels)
            {
                // The paper-shape kernel once per bound; every other kernel as it is launched.
                int?[] bounds = Ptxas.HasBlocksPerSm(ptx) ? [.. blockCounts.Select(b => (int?)b)] : [null];
                foreach (var bound in bounds)
                {
                    string file = Path.Combine(folder, $"{name}{(bound is { } b ? $"-blocks{b}" : "")}.{Ptxas.Architecture}.ptx");
                    File.WriteAllText(file, Ptxas.Prepare(ptx, bound));
                    var entries = Ptxas.Run(assembler, file);
                    foreach (var e in entries)
                        rows.Add(new Row(entries.Count == 1 ? name : $"{name}:{e.Function}", bound, e.Registers, e.SpillStoreBytes, e.SpillLoadBytes, e.StackFrameBytes));
                }
            }
            if (parse.GetValue(json))
            {
                CommandRunner.WriteJson(new
                {
                    @out = folder, ptxas = assembler, architecture = Ptxas.Architecture,
                    kernels = rows.Select(r => new
                    {
                        kernel = r.Kernel, blocks_per_sm = r.BlocksPerSm, registers = r.Registers, spill_store_bytes = r.SpillStores,
                        spill_load_bytes = r.SpillLoads, stack_frame_bytes = r.StackFrame,
                    }),
                });
                return;
            }
            Console.WriteLine($"ptxas -O3 for {Ptxas.Architecture} ({assembler})");
            Console.WriteLine($"{"kernel",-30} {"blocks/SM",9} {"registers",9} {"spill stores",12} {"spill loads",11} {"stack frame",11}");
            foreach (var r in rows)
                Console.WriteLine($"{r.Kernel,-30} {(r.BlocksPerSm is { } b ? b.ToString() : "-"),9} {r.Registers,9} {r.SpillStores,10} B {r.SpillLoads,9} B {r.StackFrame,9} B");
        });
        return command;
    }

    private sealed record Row(string Kernel, int? BlocksPerSm, int Registers, int SpillStores, int SpillLoads, int StackFrame);

    // ptxas on PATH, else where scripts/fetch-ptxas.sh leaves it when run from the repository root.
    private static string? FindPtxas() => ProgramPath.Find("ptxas") ?? (File.Exists(FetchedPtxas) ? Path.GetFullPath(FetchedPtxas) : null);
}
