using System.CommandLine;
using SharpEdge.Sweeps;

namespace SharpEdge.Cli.Commands;

/// <summary>The options of <c>sweep run</c> and <c>sweep resume</c>: backend, worker fit, Slurm resources.</summary>
internal sealed class SweepOptions
{
    public readonly Option<string?> Backend = new Option<string?>("--backend") { Description = "local (worker processes on this machine, the default) or slurm (job arrays)" }
        .AcceptOnlyFromAmong("local", "slurm");
    public readonly Option<int?> Workers = new("--workers") { Description = "local: worker processes (default: cores / threads per worker); slurm: most array elements running at once" };
    public readonly Option<int?> ThreadsPerWorker = new("--threads-per-worker") { Description = "compute threads of each task, passed as its --threads (default: cores / workers, else 1)" };
    public readonly Option<string?> Gpus = new("--gpus")
    {
        Description = "local: GPUs to spread the workers over, comma-separated CUDA ids, e.g. 0,1,2,3 (a list may repeat one): worker w's tasks " +
                      "see only the w-th (CUDA_VISIBLE_DEVICES), one worker per listed GPU unless --workers says otherwise",
    };
    public readonly Option<int?> Retries = new("--retries") { Description = "failed attempts retried before a task counts as failed (default: the spec's retries, else 1)" };
    public readonly Option<string?> Time = new("--time") { Description = "slurm: wall-time limit per task, e.g. 01:00:00 (default: the spec's slurm.time)" };
    public readonly Option<string?> Memory = new("--mem") { Description = "slurm: memory per task, e.g. 2G (default: the spec's slurm.mem)" };
    public readonly Option<string?> Partition = new("--partition") { Description = "slurm: partition (default: the spec's slurm.partition, else the cluster's default)" };
    public readonly Option<string?> Account = new("--account") { Description = "slurm: account to charge (default: the spec's slurm.account)" };
    public readonly Option<string?> Gres = new("--gres") { Description = "slurm: generic resources per task, e.g. gpu:1 for tasks with --device cuda (default: the spec's slurm.gres)" };
    public readonly Option<string?> Qos = new("--qos") { Description = "slurm: quality of service (default: the spec's slurm.qos)" };
    public readonly Option<string?> Constraint = new("--constraint") { Description = "slurm: node features required, e.g. h100 (default: the spec's slurm.constraint)" };
    public readonly Option<int?> MaxArraySize = new("--max-array-size") { Description = "slurm: most elements per array job (default: the cluster's MaxArraySize)" };
    public readonly Option<bool> NoWait = new("--no-wait") { Description = "slurm: submit and return; `sweep collect` merges the results later" };
    public readonly Option<double> Poll = new("--poll") { Description = "slurm: seconds between squeue polls while following", DefaultValueFactory = _ => 2 };
    public readonly Option<string?> Results = RunsCommands.ResultsOption();
    public readonly Option<bool> Json = CommonOptions.Json();

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Backend, Workers, ThreadsPerWorker, Gpus, Retries, Time, Memory, Partition, Account, Gres, Qos, Constraint, MaxArraySize, NoWait, Poll, Results, Json })
            command.Options.Add(option);
    }

    /// <summary>The --gpus list, or null when not given; throws for a malformed list or one given to the Slurm backend.</summary>
    public IReadOnlyList<string>? GpuList(ParseResult parse, string backend)
    {
        if (parse.GetValue(Gpus) is not { } text) return null;
        if (backend == "slurm")
            throw new ArgumentException("--gpus spreads local workers over this machine's GPUs; on Slurm each array element asks for its own with --gres gpu:1");
        var ids = text.Split(',', StringSplitOptions.TrimEntries);
        if (ids.Any(id => id.Length == 0 || id.Any(char.IsWhiteSpace)))
            throw new ArgumentException($"--gpus takes comma-separated GPU ids such as 0,1,2,3, got '{text}'");
        return ids;
    }

    public SlurmSettings Slurm(ParseResult parse, SlurmSettings fromSpec) => new SlurmSettings
    {
        Time = parse.GetValue(Time), Memory = parse.GetValue(Memory), Partition = parse.GetValue(Partition), Account = parse.GetValue(Account),
        Gres = parse.GetValue(Gres), Qos = parse.GetValue(Qos), Constraint = parse.GetValue(Constraint),
        MaxArraySize = parse.GetValue(MaxArraySize) is int m ? (m >= 1 ? m : throw new ArgumentException($"--max-array-size must be positive, got {m}")) : null,
    }.Over(fromSpec);
}
