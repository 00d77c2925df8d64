using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using SharpEdge.TeacherStudent;

namespace SharpEdge.Gpu;

/// <summary>
/// Trains many teacher-student models at once with <see cref="EnsembleKernel{TOps}"/>: the same models (generated on
/// the host from the same seeds), the same save schedule, divergence rule and epoch-mean slots as
/// <see cref="TeacherStudentTrainer"/>, so the results go through the same <see cref="PhaseOutput"/> writer.
/// </summary>
/// <remarks>
/// The host draws the models, computes φ1 and slot 0 (the full-data loss and gradient, once per model, in the
/// reference code as the CPU trainer does) and uploads φ1, labels and the initial students. Training then runs in
/// launches of whole epochs: a save epoch alone with gradient accumulation (its state, mean gradient and mean loss
/// are read back), the epochs between saves in launches of at most <c>epochsPerLaunch</c>. A model whose batch
/// loss passes 100 stops on the device; its pre-update student is read back and the batch gradient recomputed on
/// the host, as the CPU trainer does.
/// </remarks>
public static class EnsembleTrainer
{
    // Threads per block to aim for; fewer when K or shared memory does not allow more models per block.
    private const int TargetThreadsPerGroup = 256;
    // Warps per thread block of the paper-shape kernel (two models per warp): small blocks schedule evenly.
    private const int PaperShapeWarpsPerGroup = 4;

    // Thread blocks of the paper-shape kernel that must fit on one SM (.minnctapersm), which caps its registers per
    // thread at 65,536 / (128 · blocks). The kernel as it now stands needs 176 registers uncapped (2 blocks, 8 warps
    // per SM) and fits 3 blocks (166 registers, 12 warps) without spilling; at 4 (128) it spills the prefetched
    // batch (ptxas 11.8 for sm_90, `ptxas -v` on KernelPtx.Ensemble's PTX). Measured on an H100 before the kernel
    // lost its tanh's branches, when it needed 255 registers and spilled: 1 block 6.0-6.6×10⁸ model-steps/s
    // between saves, 3 blocks 3.1×10⁸. bench/gpu_check.sh times 1-4 blocks; SHARPEDGE_GPU_BLOCKS_PER_SM overrides.
    private const int PaperShapeBlocksPerSm = 3;

    internal static KernelSpecialization PaperShapeSpecialization => new(
        PaperShapeWarpsPerGroup * 32,
        int.TryParse(Environment.GetEnvironmentVariable("SHARPEDGE_GPU_BLOCKS_PER_SM"), out int blocks) && blocks > 0 ? blocks : PaperShapeBlocksPerSm);
    // Models generated (and their φ1 held on the host) at a time before upload.
    private const int UploadChunk = 256;

    /// <summary>
    /// Trains every member; results come back in the order of <paramref name="members"/>. <paramref name="progress"/>
    /// is called after each launch, its elapsed time counted from the first launch. <paramref name="epochsPerLaunch"/> bounds the epochs of one kernel launch (how
    /// often progress and cancellation are seen).
    /// </summary>
    public static SeedResult[] Train(GpuDevice device, IReadOnlyList<EnsembleMember> members, TrainerOptions? options = null,
        Action<TrainingProgress>? progress = null, int epochsPerLaunch = 100, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochsPerLaunch);
        var shared = CheckMembers(members);
        options ??= new TrainerOptions();
        var accelerator = device.Accelerator;
        int count = members.Count, units = shared.HiddenUnits, width = shared.FirstHiddenWidth;
        long matrix = (long)units * width, samples = shared.SampleCount;
        var schedule = shared.Schedule;

        using var weights = accelerator.Allocate1D<double>(count * matrix);
        using var gradientSums = accelerator.Allocate1D<double>(count * matrix);
        using var features = accelerator.Allocate1D<double>(count * samples * width);
        using var labels = accelerator.Allocate1D<double>(count * samples);
        using var readout = accelerator.Allocate1D<double>((long)count * units);
        using var stepScales = accelerator.Allocate1D<double>(count);
        using var lossSums = accelerator.Allocate1D<double>(count);
        using var divergedEpochs = accelerator.Allocate1D<int>(count);
        using var divergedBatches = accelerator.Allocate1D<int>(count);

        var results = Upload(members, weights, features, labels, readout);
        stepScales.CopyFromCPU(members.Select(m => m.Config.LearningRate / m.Config.BatchSize).ToArray());
        divergedEpochs.CopyFromCPU(Enumerable.Repeat(-1, count).ToArray());
        divergedBatches.CopyFromCPU(Enumerable.Repeat(-1, count).ToArray());

        var shape = new EnsembleShape
        {
            Models = count, Units = units, Width = width, BatchSize = shared.BatchSize, BatchCount = shared.BatchCount,
            Activation = (int)shared.Activation,
        };
        // The paper's shape has its own kernel (W in registers, warp shuffles); other shapes take the general one.
        bool paperShape = PaperShape.Fits(shape) && accelerator.WarpSize == 32;
        shape.ModelsPerGroup = paperShape
            ? Math.Min(PaperShapeWarpsPerGroup, accelerator.MaxNumThreadsPerGroup / 32) * PaperShape.ModelsPerWarp
            : ModelsPerGroup(accelerator, shape);
        int sharedPerModel = paperShape ? PaperShape.SharedPerModel : shape.SharedPerModel;
        var views = new EnsembleViews
        {
            Weights = weights.View, GradientSums = gradientSums.View, Features = features.View, Labels = labels.View, Readout = readout.View,
            StepScales = stepScales.View, LossSums = lossSums.View, DivergedEpochs = divergedEpochs.View, DivergedBatches = divergedBatches.View,
        };
        var kernel = (device.IsCuda, paperShape) switch
        {
            (true, true) => LoadPaperShape<PtxOps>(accelerator, shared.Activation, PaperShapeSpecialization),
            (true, false) => accelerator.LoadStreamKernel<EnsembleShape, EnsembleViews>(EnsembleKernel<PtxOps>.Run),
            (false, true) => LoadPaperShape<ScalarOps>(accelerator, shared.Activation, default),
            (false, false) => accelerator.LoadStreamKernel<EnsembleShape, EnsembleViews>(EnsembleKernel<ScalarOps>.Run),
        };
        var launch = new KernelConfig((count + shape.ModelsPerGroup - 1) / shape.ModelsPerGroup, shape.ModelsPerGroup * units,
            SharedMemoryConfig.RequestDynamic<double>(shape.ModelsPerGroup * sharedPerModel));

        int epochs = options.EpochsToTrain(schedule);
        // Progress times the training launches only: set-up (drawing models, slot 0, uploads) does not scale with epochs.
        var clock = Stopwatch.StartNew();
        var stopped = new bool[count];
        var hostWeights = new double[count * matrix];
        var hostSums = new double[count * matrix];
        var student = new double[matrix];
        var gradient = new double[matrix];
        for (int epoch = 0; epoch < epochs;)
        {
            cancellation.ThrowIfCancellationRequested();
            bool save = schedule.IsSaveEpoch(epoch);
            int run = save ? 1 : Math.Min(epochsPerLaunch, NextSaveOrEnd(schedule, epoch, epochs) - epoch);
            if (save) gradientSums.MemSetToZero();
            shape.FirstEpoch = epoch;
            shape.Epochs = run;
            shape.Accumulate = save ? 1 : 0;
            kernel(launch, shape, views);
            accelerator.Synchronize();

            var diverged = divergedEpochs.GetAsArray1D();
            if (save || diverged.Any(e => e >= 0)) weights.CopyToCPU(hostWeights);
            var batches = divergedBatches.GetAsArray1D();
            for (int i = 0; i < count; i++)
            {
                if (stopped[i] || diverged[i] < 0) continue;
                stopped[i] = true;
                hostWeights.AsSpan((int)(i * matrix), (int)matrix).CopyTo(student);
                BatchGradient(members[i], batches[i], student, gradient);
                results[i].History.RecordDivergence(diverged[i], student, gradient);
            }
            if (save)
            {
                gradientSums.CopyToCPU(hostSums);
                var losses = lossSums.GetAsArray1D();
                double batchSize = shared.BatchSize, batchCount = shared.BatchCount;
                for (int i = 0; i < count; i++)
                {
                    if (stopped[i]) continue;
                    // generate.py's grad_acc / n_batchs of the batch gradients −(1/bs) Σ_n error_n ⊗ φ1_n, as StudentSgd.
                    for (long j = 0; j < matrix; j++) gradient[j] = -(hostSums[i * matrix + j] / batchSize) / batchCount;
                    results[i].History.RecordEpoch(epoch, hostWeights.AsSpan((int)(i * matrix), (int)matrix), gradient, losses[i] / batchCount);
                }
            }
            epoch += run;
            progress?.Invoke(new TrainingProgress((long)epoch * count, (long)epochs * count, epoch >= epochs ? count : 0, count, clock.Elapsed));
        }
        return results;
    }

    // The paper-shape kernel compiled for the members' activation (see IActivationUnits).
    private static Action<KernelConfig, EnsembleShape, EnsembleViews> LoadPaperShape<TOps>(
        Accelerator accelerator, Activation activation, KernelSpecialization specialization) where TOps : struct, IFloatOps => activation switch
    {
        Activation.Tanh => accelerator.LoadStreamKernel<EnsembleShape, EnsembleViews>(PaperShapeKernel<TOps, TanhUnits<TOps>>.Run, specialization),
        Activation.Relu => accelerator.LoadStreamKernel<EnsembleShape, EnsembleViews>(PaperShapeKernel<TOps, ReluUnits>.Run, specialization),
        Activation.Identity => accelerator.LoadStreamKernel<EnsembleShape, EnsembleViews>(PaperShapeKernel<TOps, IdentityUnits>.Run, specialization),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "no kernel for this activation"),
    };

    private static int NextSaveOrEnd(SaveSchedule schedule, int epoch, int epochs)
    {
        for (int e = epoch + 1; e < epochs; e++)
            if (schedule.IsSaveEpoch(e)) return e;
        return epochs;
    }

    // Draws the models a chunk at a time (in parallel), records slot 0 and uploads φ1, labels, Z and the students.
    private static SeedResult[] Upload(IReadOnlyList<EnsembleMember> members, MemoryBuffer1D<double, Stride1D.Dense> weights,
        MemoryBuffer1D<double, Stride1D.Dense> features, MemoryBuffer1D<double, Stride1D.Dense> labels, MemoryBuffer1D<double, Stride1D.Dense> readout)
    {
        var results = new SeedResult[members.Count];
        var config = members[0].Config;
        int units = config.HiddenUnits, width = config.FirstHiddenWidth, samples = config.SampleCount;
        for (int start = 0; start < members.Count; start += UploadChunk)
        {
            int end = Math.Min(members.Count, start + UploadChunk);
            var chunkFeatures = new double[end - start][];
            var chunkModels = new TeacherStudentModel[end - start];
            Parallel.For(start, end, i =>
            {
                var member = members[i];
                var model = TeacherStudentModel.Generate(member.Config, member.Seed);
                var history = new TrainingHistory(member.Config.Schedule, units, width);
                var network = new TeacherStudentNetwork(member.Config, model.FirstLayer, model.Readout);
                var gradient = new double[units * width];
                double loss = network.LossAndGradient(model.InitialStudent, model.Inputs, model.Labels, gradient);
                history.RecordInitial(model.InitialStudent, gradient, loss);
                results[i] = new SeedResult(member.Seed, model, history);
                chunkFeatures[i - start] = model.ComputeFeatures();
                chunkModels[i - start] = model;
            });
            // Uploads stay on this thread (an accelerator is bound to the thread that uses it).
            for (int i = start; i < end; i++)
            {
                var model = chunkModels[i - start];
                weights.View.SubView((long)i * units * width, units * width).CopyFromCPU(model.InitialStudent);
                features.View.SubView((long)i * samples * width, (long)samples * width).CopyFromCPU(chunkFeatures[i - start]);
                labels.View.SubView((long)i * samples, samples).CopyFromCPU(model.Labels);
                readout.View.SubView((long)i * units, units).CopyFromCPU(model.Readout);
            }
        }
        return results;
    }

    // The divergent batch's gradient at the pre-update student, from the reference code (as TeacherStudentTrainer).
    private static void BatchGradient(EnsembleMember member, int batch, double[] student, double[] gradient)
    {
        var config = member.Config;
        var model = TeacherStudentModel.Generate(config, member.Seed);
        var network = new TeacherStudentNetwork(config, model.FirstLayer, model.Readout);
        int bs = config.BatchSize, d = config.InputDim;
        network.LossAndGradient(student, model.Inputs.AsSpan(batch * bs * d, bs * d), model.Labels.AsSpan(batch * bs, bs), gradient);
    }

    private static int ModelsPerGroup(Accelerator accelerator, EnsembleShape shape)
    {
        int maxThreads = accelerator.MaxNumThreadsPerGroup;
        if (shape.Units > maxThreads)
            throw new NotSupportedException($"K = {shape.Units} hidden units exceed the {maxThreads} threads of one group on {accelerator.Name}");
        long sharedBytes = (long)shape.SharedPerModel * sizeof(double);
        long sharedLimit = accelerator.MaxSharedMemoryPerGroup;
        if (sharedBytes > sharedLimit)
            throw new NotSupportedException($"one model needs {sharedBytes} bytes of shared memory, more than the {sharedLimit} of one group on {accelerator.Name}");
        int byThreads = Math.Max(1, Math.Min(TargetThreadsPerGroup, maxThreads) / shape.Units);
        return (int)Math.Min(byThreads, sharedLimit / sharedBytes);
    }

    // One launch trains one shape: members may differ in lr and eps only, and a cell needs distinct seeds.
    private static TeacherStudentConfig CheckMembers(IReadOnlyList<EnsembleMember> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0) throw new ArgumentException("need at least one model", nameof(members));
        var first = members[0].Config ?? throw new ArgumentException("a member has no configuration", nameof(members));
        first.Validate();
        var seen = new HashSet<(double, double, long)>();
        foreach (var member in members)
        {
            if (member?.Config is null) throw new ArgumentException("a member has no configuration", nameof(members));
            member.Config.Validate();
            if (member.Config with { LearningRate = first.LearningRate, StudentWidth = first.StudentWidth } != first)
                throw new ArgumentException("models trained together may differ in learning rate and student width only", nameof(members));
            if (member.Seed < 0) throw new ArgumentOutOfRangeException(nameof(members), member.Seed, "seeds must not be negative");
            if (!seen.Add((member.Config.LearningRate, member.Config.StudentWidth, member.Seed)))
                throw new ArgumentException($"seed {member.Seed} appears more than once in the cell lr={member.Config.LearningRate} eps={member.Config.StudentWidth}", nameof(members));
        }
        return first;
    }
}
