using System.CommandLine;
using SharpEdge.Gpu;

namespace SharpEdge.Cli.Commands;

/// <summary>
/// <c>bench ensemble</c>: the teacher-student ensemble kernel on a device: the correctness check against the CPU trainer
/// (largest relative difference over every slot), its throughput in model-steps per second with the projection to the
/// paper's 14 400 models × 10⁸ steps, and the CPU trainer's throughput beside it. bench/gpu_check.sh runs it on a GPU.
/// </summary>
internal static class EnsembleBenchCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device")
        {
            Description = "cuda (the first CUDA GPU) or ilgpu-cpu (ILGPU's CPU accelerator: the same kernel, slow, for orientation without a GPU)",
            DefaultValueFactory = _ => "cuda",
        };
        var models = new Option<int>("--models") { Description = "models trained at once (the paper's ensemble is 14,400)", DefaultValueFactory = _ => 14_400 };
        var epochs = new Option<int>("--epochs") { Description = "epochs of the throughput run (≤ 20 or a multiple of 20)", DefaultValueFactory = _ => 20 };
        var batches = new Option<int>("--batches") { Description = "SGD steps per epoch (the paper's 1,000)", DefaultValueFactory = _ => 1000 };
        var checkModels = new Option<int>("--check-models") { Description = "models of the correctness check against the CPU trainer (0: none)", DefaultValueFactory = _ => 8 };
        var checkEpochs = new Option<int>("--check-epochs") { Description = "epochs of the correctness check", DefaultValueFactory = _ => 2 };
        var cpuEpochs = new Option<int>("--cpu-epochs") { Description = "epochs of the CPU trainer's run (one model per core; 0: none)", DefaultValueFactory = _ => 200 };
        var json = CommonOptions.Json();
        var command = new Command("ensemble", "Teacher-student ensemble kernel: correctness against the CPU trainer and model-steps per second, CPU beside it.")
        {
            device, models, epochs, batches, checkModels, checkEpochs, cpuEpochs, json,
        };
        command.SetAction(parse =>
        {
            foreach (var option in new[] { models, epochs, batches })
                if (parse.GetValue(option) < 1) throw new ArgumentException($"{option.Name} must be positive, got {parse.GetValue(option)}");
            using var ensembleDevice = parse.GetValue(device) switch
            {
                "cuda" => GpuDevice.TryOpenCuda() ?? throw new InvalidOperationException("--device cuda: no CUDA device found (no NVIDIA GPU, or no CUDA driver ILGPU can load)"),
                "ilgpu-cpu" => GpuDevice.OpenCpu(),
                var other => throw new ArgumentException($"--device: '{other}' is not cuda or ilgpu-cpu"),
            };
            CommandRunner.Log($"bench ensemble: device {ensembleDevice.Description}");
            EnsembleCheck? check = null;
            if (parse.GetValue(checkModels) > 0)
            {
                check = EnsembleBench.Check(ensembleDevice, Math.Max(2, parse.GetValue(checkModels)), parse.GetValue(checkEpochs), parse.GetValue(batches));
                CommandRunner.Log($"bench ensemble: check {check.Models} models × {check.Epochs} epochs × {check.StepsPerEpoch} steps against the CPU trainer " +
                                  $"({check.CpuKernel}): max relative difference {check.MaxRelativeDifference:G3}{(check.BitIdentical ? ", bit-identical" : "")}");
            }
            var rows = new List<EnsembleThroughput> { EnsembleBench.Measure(ensembleDevice, parse.GetValue(models), parse.GetValue(epochs), parse.GetValue(batches)) };
            if (parse.GetValue(cpuEpochs) > 0)
                rows.Add(EnsembleBench.MeasureCpu(Numerics.Parallelism.Threads, parse.GetValue(cpuEpochs), parse.GetValue(batches)));
            if (parse.GetValue(json))
            {
                CommandRunner.WriteJson(new
                {
                    device = ensembleDevice.Description,
                    check = check is null ? null : new
                    {
                        models = check.Models, epochs = check.Epochs, steps_per_epoch = check.StepsPerEpoch, max_relative_difference = check.MaxRelativeDifference,
                        bit_identical = check.BitIdentical, cpu_kernel = check.CpuKernel.ToString(),
                    },
                    throughput = rows.Select(r => new
                    {
                        device = r.Device, models = r.Models, epochs = r.Epochs, steps_per_epoch = r.StepsPerEpoch, setup_seconds = r.SetupSeconds,
                        training_seconds = r.TrainingSeconds, model_steps_per_second = r.ModelStepsPerSecond, paper_hours = r.PaperHours,
                    }),
                });
                return;
            }
            Console.WriteLine($"{"trainer",-60} {"models",7} {"steps",10} {"seconds",8} {"model-steps/s",14} {"paper sweep (1.44e12, at most)",31}");
            foreach (var r in rows)
                Console.WriteLine($"{r.Device,-60} {r.Models,7} {r.Epochs * r.StepsPerEpoch,10} {r.TrainingSeconds,8:F2} {r.ModelStepsPerSecond,14:G3} {r.PaperHours,29:F2} h");
        });
        return command;
    }
}
