using System.CommandLine;
using System.Runtime.InteropServices;
using SharpEdge.Runs;
using SharpEdge.Sweeps;
using SharpEdge.Sweeps.Slurm;

namespace SharpEdge.Cli.Commands;

/// <summary>Runs the pending tasks of a registered sweep on the chosen backend, with a progress line; shared by <c>sweep run</c> and <c>sweep resume</c>.</summary>
internal static class SweepExecution
{
    public sealed record Outcome(int Done, int Failed, bool Interrupted, IReadOnlyList<string> Jobs);

    public static Outcome Run(RunStore store, SweepRecord sweep, SweepSpec spec, string backend, SweepOptions options, ParseResult parse, SlurmClient? slurm)
    {
        int retries = parse.GetValue(options.Retries) ?? spec.Retries;
        if (retries < 0) throw new ArgumentException($"--retries must not be negative, got {retries}");
        var pending = store.Tasks(sweep.Name, SweepTaskState.Pending).Count;
        var line = new ProgressLine($"sweep {sweep.Name}");
        void Report(SweepProgress p) => line.Report(p.Fraction, p.Remaining, $"{p.Done}/{p.Total} done, {p.Failed} failed, {p.Running} running");
        var gpus = options.GpuList(parse, backend);
        try
        {
            if (backend == "slurm")
            {
                var client = slurm ?? SlurmClient.Find();
                int threads = parse.GetValue(options.ThreadsPerWorker) ?? 1;
                if (threads < 1) throw new ArgumentException($"--threads-per-worker must be at least 1, got {threads}");
                var slurmBackend = new SlurmBackend(store, sweep, client, TaskLauncher.Self(), options.Slurm(parse, spec.Slurm), threads,
                    parse.GetValue(options.Workers), retries) { Progress = Report, Log = CommandRunner.Log };
                var jobs = slurmBackend.Submit();
                if (parse.GetValue(options.NoWait)) return new Outcome(0, 0, false, jobs);
                var poll = parse.GetValue(options.Poll);
                if (!(poll > 0)) throw new ArgumentException($"--poll must be a positive number of seconds, got {poll}");
                slurmBackend.Follow(TimeSpan.FromSeconds(poll));
                return new Outcome(0, 0, false, jobs);
            }
            var (workers, threadsPerWorker) = WorkerFit.Choose(Environment.ProcessorCount, pending, parse.GetValue(options.Workers) ?? gpus?.Count, parse.GetValue(options.ThreadsPerWorker));
            CommandRunner.Log($"sweep {sweep.Name}: {pending} task(s) to run, {workers} worker process(es) × {threadsPerWorker} thread(s)" +
                              (gpus is null ? "" : $", GPU per worker: {string.Join(", ", Enumerable.Range(0, workers).Select(w => gpus[w % gpus.Count]))} ({LocalPool.VisibleDevicesVariable})"));
            using var cancel = new CancellationTokenSource();
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                CommandRunner.Log($"sweep {sweep.Name}: {context.Signal}: stopping the running tasks (`sweep resume {sweep.Name}` continues)");
                cancel.Cancel();
            }
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            var pool = new LocalPool(store, sweep, TaskLauncher.Self(), workers, threadsPerWorker, retries) { Gpus = gpus, Progress = Report, Log = CommandRunner.Log };
            var (done, failed, interrupted) = pool.Run(cancel.Token);
            return new Outcome(done, failed, interrupted, []);
        }
        finally
        {
            line.Done();
        }
    }
}
