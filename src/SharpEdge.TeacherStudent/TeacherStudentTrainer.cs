namespace SharpEdge.TeacherStudent;

/// <summary>
/// The fast trainer: one (lr, eps) cell's seeds trained in parallel, one model per thread, each with
/// <see cref="StudentSgd"/> (float64, nothing allocated per step), producing the same histories as
/// <see cref="ReferenceTrainer"/> up to rounding.
/// </summary>
public static class TeacherStudentTrainer
{
    /// <summary>
    /// Trains every seed of the cell on <paramref name="threads"/> dedicated threads (≤ 0: one per core, never
    /// more than seeds); results come back in the order of <paramref name="seeds"/>. <paramref name="progress"/>
    /// is called from a training thread, at most once per <see cref="TrainerOptions.ProgressInterval"/>, plus a
    /// final time.
    /// </summary>
    public static SeedResult[] TrainCell(TeacherStudentConfig config, IReadOnlyList<long> seeds, int threads = 0,
        Action<TrainingProgress>? progress = null, TrainerOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(seeds);
        config.Validate();
        options ??= new TrainerOptions();
        CheckSeeds(seeds);
        SimdPaths.Resolve(options.Path); // fail before starting threads

        var results = new SeedResult[seeds.Count];
        var tracker = new ProgressTracker(progress, (long)seeds.Count * options.EpochsToTrain(config.Schedule), seeds.Count, options.ProgressInterval);
        int workerCount = Math.Min(seeds.Count, threads > 0 ? threads : Environment.ProcessorCount);
        int next = -1;
        Exception? failure = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);

        void Work()
        {
            try
            {
                for (int index = Interlocked.Increment(ref next); index < seeds.Count; index = Interlocked.Increment(ref next))
                {
                    results[index] = TrainSeed(config, seeds[index], options, tracker, stop.Token);
                    tracker.SeedFinished();
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
                stop.Cancel();
            }
        }

        var workers = new Thread[workerCount];
        for (int i = 0; i < workerCount; i++)
        {
            workers[i] = new Thread(Work) { IsBackground = true, Name = $"teacher-student {i}" };
            workers[i].Start();
        }
        foreach (var worker in workers) worker.Join();

        if (failure is OperationCanceledException && cancellation.IsCancellationRequested) throw new OperationCanceledException(cancellation);
        if (failure is not null) throw new AggregateException("training a teacher-student cell failed", failure);
        tracker.Finish();
        return results;
    }

    /// <summary>Trains one seed on the calling thread.</summary>
    public static SeedResult TrainSeed(TeacherStudentConfig config, long seed, TrainerOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        return TrainSeed(config, seed, options ?? new TrainerOptions(), tracker: null, cancellation);
    }

    private static SeedResult TrainSeed(TeacherStudentConfig config, long seed, TrainerOptions options, ProgressTracker? tracker, CancellationToken cancellation)
    {
        var features = new double[config.SampleCount * config.FirstHiddenWidth];
        var model = TeacherStudentModel.Generate(config, seed, features);
        var schedule = config.Schedule;
        var history = new TrainingHistory(schedule, config.HiddenUnits, config.FirstHiddenWidth);
        var network = new TeacherStudentNetwork(config, model.FirstLayer, model.Readout);

        // Slot 0: full-data loss and gradient at initialisation, in the plain reference code (runs once).
        var student = (double[])model.InitialStudent.Clone();
        var gradient = new double[student.Length];
        double initialLoss = network.LossAndGradientOfFeatures(student, features, model.Labels, gradient);
        history.RecordInitial(student, gradient, initialLoss);

        var sgd = new StudentSgd(config, model, features, options.Path);
        int epochs = options.EpochsToTrain(schedule);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            cancellation.ThrowIfCancellationRequested();
            bool save = schedule.IsSaveEpoch(epoch);
            var outcome = sgd.RunEpoch(accumulateGradient: save);
            if (outcome.DivergedBatch >= 0)
            {
                // The kernel stopped before the update; the batch gradient comes from the reference code.
                int bs = config.BatchSize, d = config.InputDim, batch = outcome.DivergedBatch;
                sgd.CopyStudent(student);
                network.LossAndGradient(student, model.Inputs.AsSpan(batch * bs * d, bs * d), model.Labels.AsSpan(batch * bs, bs), gradient);
                history.RecordDivergence(epoch, student, gradient);
                tracker?.AddEpochs(epochs - epoch);
                break;
            }
            if (save)
            {
                sgd.CopyStudent(student);
                sgd.CopyMeanGradient(gradient);
                history.RecordEpoch(epoch, student, gradient, outcome.LossSum / config.BatchCount);
            }
            tracker?.AddEpochs(1);
        }
        return new SeedResult(seed, model, history);
    }

    private static void CheckSeeds(IReadOnlyList<long> seeds)
    {
        if (seeds.Count == 0) throw new ArgumentException("need at least one seed", nameof(seeds));
        var seen = new HashSet<long>();
        foreach (long seed in seeds)
        {
            if (seed < 0) throw new ArgumentOutOfRangeException(nameof(seeds), seed, "seeds must not be negative");
            if (!seen.Add(seed)) throw new ArgumentException($"seed {seed} appears more than once; every model of a cell needs its own seed", nameof(seeds));
        }
    }
}
