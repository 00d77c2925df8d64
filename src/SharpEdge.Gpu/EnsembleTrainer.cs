using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using SharpEdge.TeacherStudent;

namespace SharpEdge.Gpu;

/// <summary>
/// Trains many teacher-student models at once with <see cref="EnsembleKernel{TOps}"/> (the paper's shape with
/// <see cref="PaperShapeKernel{TOps, TActivation}"/>): the same models (generated on
/// the host from the same seeds), the same save schedule, divergence rule and epoch-mean slots as
/// <see cref="TeacherStudentTrainer"/>, so the results go through the same <see cref="PhaseOutput"/> writer.
/// </summary>
/// <remarks>
/// The host draws the models, computes φ1 and slot 0 (the full-data loss and gradient, once per model, in the
/// reference code as the CPU trainer does) and uploads φ1, labels and the initial students. Training then runs in
/// launches of whole epochs: a save epoch alone with gradient accumulation (its state, mean gradient and mean loss
/// are read back), the epochs between saves in launches of at most <c>epochsPerLaunch</c>. A model whose batch
/// loss passes 100 stops on the device; its pre-update student is read back and the batch gradient recomputed on
/// the host, as the CPU trainer does. The models are split into <see cref="Streams"/> contiguous groups, each
/// launched on its own stream and read back in turn, so that the GPU never waits on the host or on a launch's tail.
/// </remarks>
public static class EnsembleTrainer
{
    // Threads per block to aim for; fewer when K or shared memory does not allow more models per block.
    private const int TargetThreadsPerGroup = 256;
    // Warps per thread block of the paper-shape kernel (two models per warp): small blocks schedule evenly.
    private const int PaperShapeWarpsPerGroup = 4;

    // Thread blocks of the paper-shape kernel that must fit on one SM (.minnctapersm), which caps its registers per
    // thread at 65,536 / (128 · blocks). The kernel as it now stands needs 176 registers uncapped (2 blocks, 8 warps
    // per SM) and fits 3 blocks (168 registers, 12 warps) without spilling; at 4 (128) it spills the prefetched
    // batch (ptxas 11.8 for sm_90, `ptxas -v` on KernelPtx.Ensemble's PTX). On an H100 (14,400 models × 10⁵ steps,
    // saves included, one run): 1 block 4.44×10⁸ model-steps/s, 3 blocks 4.56×10⁸, 4 blocks 4.44×10⁸; a run that
    // short is mostly its 20 saves, so 1 and 3 are a tie and 4 is no better. bench/gpu_check.sh times 1, 3 and 4 blocks
    // on longer runs; SHARPEDGE_GPU_BLOCKS_PER_SM overrides.
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
        Action<TrainingProgress>? progress = null, int epochsPerLaunch = 100, CancellationToken cancellation = default) =>
        Train(device, members, options, progress, epochsPerLaunch, cancellation, streams: 0, launched: null);

    /// <summary>
    /// <see cref="Train(GpuDevice, IReadOnlyList{EnsembleMember}, TrainerOptions?, Action{TrainingProgress}?, int, CancellationToken)"/>
    /// on <paramref name="streams"/> streams (0: <see cref="Streams"/>), reporting each finished launch to <paramref name="launched"/>.
    /// </summary>
    internal static SeedResult[] Train(GpuDevice device, IReadOnlyList<EnsembleMember> members, TrainerOptions? options,
        Action<TrainingProgress>? progress, int epochsPerLaunch, CancellationToken cancellation, int streams, Action<LaunchReport>? launched)
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
            (true, false) => accelerator.LoadKernel<EnsembleShape, EnsembleViews>(EnsembleKernel<PtxOps>.Run),
            (false, true) => LoadPaperShape<ScalarOps>(accelerator, shared.Activation, default),
            (false, false) => accelerator.LoadKernel<EnsembleShape, EnsembleViews>(EnsembleKernel<ScalarOps>.Run),
        };
        accelerator.Synchronize();   // the uploads are done before the streams start

        int epochs = options.EpochsToTrain(schedule);
        var groups = LaunchGroup.Split(accelerator, count, streams > 0 ? streams : DefaultStreams, shape, views, shape.ModelsPerGroup * sharedPerModel);
        // Progress times the training launches only: set-up (drawing models, slot 0, uploads) does not scale with epochs.
        var clock = Stopwatch.StartNew();
        var hostWeights = new double[count * matrix];
        var hostSums = new double[count * matrix];
        var student = new double[matrix];
        var gradient = new double[matrix];
        try
        {
            foreach (var group in groups) group.Enqueue(kernel, schedule, epochs, epochsPerLaunch);
            // Round robin: while the host reads one group's launch back, the other groups' launches keep the GPU busy,
            // and their blocks fill the SMs that this group's last wave leaves idle.
            for (int running = groups.Length; running > 0;)
            {
                foreach (var group in groups)
                {
                    if (group.Epoch >= epochs) continue;
                    cancellation.ThrowIfCancellationRequested();
                    ReadBack(group);
                    launched?.Invoke(new LaunchReport(group.Save, (long)group.Run * group.Count, clock.Elapsed));
                    group.Epoch += group.Run;
                    if (group.Epoch < epochs) group.Enqueue(kernel, schedule, epochs, epochsPerLaunch);
                    else running--;
                    long done = groups.Sum(g => (long)g.Epoch * g.Count);
                    progress?.Invoke(new TrainingProgress(done, (long)epochs * count, groups.Where(g => g.Epoch >= epochs).Sum(g => g.Count), count, clock.Elapsed));
                }
            }
        }
        finally
        {
            foreach (var group in groups) group.Dispose();
        }
        return results;

        // The group's launch has finished: divergences (their pre-update students), and at a save epoch its slot.
        void ReadBack(LaunchGroup group)
        {
            var stream = group.Stream;
            group.Views.DivergedEpochs.CopyToCPU(stream, group.Diverged);
            group.Views.DivergedBatches.CopyToCPU(stream, group.DivergedBatches);
            stream.Synchronize();
            int first = group.First;
            var groupWeights = hostWeights.AsSpan((int)(first * matrix), (int)(group.Count * matrix));
            if (group.Save || group.Diverged.Any(e => e >= 0)) group.Views.Weights.CopyToCPU(stream, groupWeights);
            if (group.Save)
            {
                group.Views.GradientSums.CopyToCPU(stream, hostSums.AsSpan((int)(first * matrix), (int)(group.Count * matrix)));
                group.Views.LossSums.CopyToCPU(stream, group.Losses);
            }
            stream.Synchronize();
            for (int j = 0; j < group.Count; j++)
            {
                int i = first + j;
                if (group.Stopped[j] || group.Diverged[j] < 0) continue;
                group.Stopped[j] = true;
                hostWeights.AsSpan((int)(i * matrix), (int)matrix).CopyTo(student);
                BatchGradient(members[i], group.DivergedBatches[j], student, gradient);
                results[i].History.RecordDivergence(group.Diverged[j], student, gradient);
            }
            if (!group.Save) return;
            double batchSize = shared.BatchSize, batchCount = shared.BatchCount;
            for (int j = 0; j < group.Count; j++)
            {
                int i = first + j;
                if (group.Stopped[j]) continue;
                // generate.py's grad_acc / n_batchs of the batch gradients −(1/bs) Σ_n error_n ⊗ φ1_n, as StudentSgd.
                for (long e = 0; e < matrix; e++) gradient[e] = -(hostSums[i * matrix + e] / batchSize) / batchCount;
                results[i].History.RecordEpoch(group.Epoch, hostWeights.AsSpan((int)(i * matrix), (int)matrix), gradient, group.Losses[j] / batchCount);
            }
        }
    }

    /// <summary>
    /// Streams the ensemble is split over (contiguous groups of models, one stream each): two let one group's
    /// read-back and last, partial wave of thread blocks overlap the other group's launch. One stream pays both on
    /// every launch: with 14,400 models at 12 warps per SM of an H100 a launch is 4.5 waves of blocks, so about
    /// 9 % of it would run on a half-empty GPU. Measured on an H100 in the run above: one stream 3.65×10⁸ model-steps/s
    /// against two streams' 4.56×10⁸. SHARPEDGE_GPU_STREAMS overrides it (bench/gpu_check.sh compares 1 and 2).
    /// </summary>
    internal const int Streams = 2;

    private static int DefaultStreams =>
        int.TryParse(Environment.GetEnvironmentVariable("SHARPEDGE_GPU_STREAMS"), out int streams) && streams > 0 ? streams : Streams;

    /// <summary>One finished launch of a group: a save epoch or not, its model-epochs, and when it was read back.</summary>
    internal readonly record struct LaunchReport(bool Save, long ModelEpochs, TimeSpan Elapsed);

    // A contiguous range of the ensemble with its own stream, views into the shared buffers, epoch and read-back arrays.
    private sealed class LaunchGroup : IDisposable
    {
        private LaunchGroup(AcceleratorStream stream, int first, int count, EnsembleShape shape, EnsembleViews views, KernelConfig launch)
        {
            (Stream, First, Count, Shape, Views, Launch) = (stream, first, count, shape, views, launch);
            Stopped = new bool[count];
            Diverged = new int[count];
            DivergedBatches = new int[count];
            Losses = new double[count];
        }

        public AcceleratorStream Stream { get; }
        public int First { get; }
        public int Count { get; }
        public EnsembleViews Views { get; }
        public KernelConfig Launch { get; }
        public bool[] Stopped { get; }
        public int[] Diverged { get; }
        public int[] DivergedBatches { get; }
        public double[] Losses { get; }
        public int Epoch { get; set; }
        public int Run { get; private set; }
        public bool Save { get; private set; }
        private EnsembleShape Shape;

        public static LaunchGroup[] Split(Accelerator accelerator, int count, int streams, EnsembleShape shape, EnsembleViews all, int sharedPerGroup)
        {
            streams = Math.Clamp(streams, 1, count);
            int units = shape.Units;
            long matrix = (long)units * shape.Width, samples = (long)shape.BatchSize * shape.BatchCount;
            var groups = new LaunchGroup[streams];
            for (int g = 0, first = 0; g < streams; g++)
            {
                int size = count / streams + (g < count % streams ? 1 : 0);
                var views = new EnsembleViews
                {
                    Weights = all.Weights.SubView(first * matrix, size * matrix),
                    GradientSums = all.GradientSums.SubView(first * matrix, size * matrix),
                    Features = all.Features.SubView(first * samples * shape.Width, size * samples * shape.Width),
                    Labels = all.Labels.SubView(first * samples, size * samples),
                    Readout = all.Readout.SubView((long)first * units, (long)size * units),
                    StepScales = all.StepScales.SubView(first, size),
                    LossSums = all.LossSums.SubView(first, size),
                    DivergedEpochs = all.DivergedEpochs.SubView(first, size),
                    DivergedBatches = all.DivergedBatches.SubView(first, size),
                };
                var launch = new KernelConfig((size + shape.ModelsPerGroup - 1) / shape.ModelsPerGroup, shape.ModelsPerGroup * units,
                    SharedMemoryConfig.RequestDynamic<double>(sharedPerGroup));
                groups[g] = new LaunchGroup(accelerator.CreateStream(), first, size, shape with { Models = size }, views, launch);
                first += size;
            }
            return groups;
        }

        // The next launch: a save epoch alone (with gradient accumulation), else the epochs up to the next save.
        public void Enqueue(Action<AcceleratorStream, KernelConfig, EnsembleShape, EnsembleViews> kernel, SaveSchedule schedule, int epochs, int epochsPerLaunch)
        {
            Save = schedule.IsSaveEpoch(Epoch);
            Run = Save ? 1 : Math.Min(epochsPerLaunch, NextSaveOrEnd(schedule, Epoch, epochs) - Epoch);
            if (Save) Views.GradientSums.MemSetToZero(Stream);
            Shape.FirstEpoch = Epoch;
            Shape.Epochs = Run;
            Shape.Accumulate = Save ? 1 : 0;
            kernel(Stream, Launch, Shape, Views);
        }

        public void Dispose() => Stream.Dispose();
    }

    // The paper-shape kernel compiled for the members' activation (see IActivationUnits).
    private static Action<AcceleratorStream, KernelConfig, EnsembleShape, EnsembleViews> LoadPaperShape<TOps>(
        Accelerator accelerator, Activation activation, KernelSpecialization specialization) where TOps : struct, IFloatOps => activation switch
    {
        Activation.Tanh => accelerator.LoadKernel<EnsembleShape, EnsembleViews>(PaperShapeKernel<TOps, TanhUnits<TOps>>.Run, specialization),
        Activation.Relu => accelerator.LoadKernel<EnsembleShape, EnsembleViews>(PaperShapeKernel<TOps, ReluUnits>.Run, specialization),
        Activation.Identity => accelerator.LoadKernel<EnsembleShape, EnsembleViews>(PaperShapeKernel<TOps, IdentityUnits>.Run, specialization),
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
                var features = chunkFeatures[i - start] = new double[samples * width];
                var model = TeacherStudentModel.Generate(member.Config, member.Seed, features);
                var history = new TrainingHistory(member.Config.Schedule, units, width);
                var network = new TeacherStudentNetwork(member.Config, model.FirstLayer, model.Readout);
                var gradient = new double[units * width];
                double loss = network.LossAndGradientOfFeatures(model.InitialStudent, features, model.Labels, gradient);
                history.RecordInitial(model.InitialStudent, gradient, loss);
                results[i] = new SeedResult(member.Seed, model, history);
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
