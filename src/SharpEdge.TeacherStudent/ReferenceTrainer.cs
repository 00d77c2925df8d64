namespace SharpEdge.TeacherStudent;

/// <summary>
/// generate.py's training loop for one seed (phase_ml_spec §3.1) written as plainly as possible: every step
/// recomputes the batch's forward pass from x through M with <see cref="TeacherStudentNetwork"/>, takes the
/// batch loss and gradient at the pre-update student, checks the divergence rule, updates
/// Wp ← Wp − lr·grad and accumulates the epoch's loss and gradient. It is the independent reference for the
/// fast trainer (about 100× slower); use <see cref="TeacherStudentTrainer"/> for real runs.
/// </summary>
public static class ReferenceTrainer
{
    public static SeedResult Train(TeacherStudentConfig config, long seed, TrainerOptions? options = null)
    {
        options ??= new TrainerOptions();
        var model = TeacherStudentModel.Generate(config, seed);
        var schedule = config.Schedule;
        int d = config.InputDim, bs = config.BatchSize, batches = config.BatchCount;
        var network = new TeacherStudentNetwork(config, model.FirstLayer, model.Readout);
        var history = new TrainingHistory(schedule, config.HiddenUnits, config.FirstHiddenWidth);

        var student = (double[])model.InitialStudent.Clone();
        var gradient = new double[student.Length];
        var gradientSum = new double[student.Length];
        var meanGradient = new double[student.Length];
        double initialLoss = network.LossAndGradient(student, model.Inputs, model.Labels, gradient);
        history.RecordInitial(student, gradient, initialLoss);

        int epochs = options.EpochsToTrain(schedule);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            double lossSum = 0.0;
            Array.Clear(gradientSum);
            for (int batch = 0; batch < batches; batch++)
            {
                var inputs = model.Inputs.AsSpan(batch * bs * d, bs * d);
                var labels = model.Labels.AsSpan(batch * bs, bs);
                double loss = network.LossAndGradient(student, inputs, labels, gradient);
                if (loss > TeacherStudentConfig.DivergenceThreshold)
                {
                    history.RecordDivergence(epoch, student, gradient);
                    return new SeedResult(seed, model, history);
                }
                for (int i = 0; i < student.Length; i++) student[i] -= config.LearningRate * gradient[i];
                lossSum += loss;
                for (int i = 0; i < student.Length; i++) gradientSum[i] += gradient[i];
            }
            if (schedule.IsSaveEpoch(epoch))
            {
                for (int i = 0; i < student.Length; i++) meanGradient[i] = gradientSum[i] / batches;
                history.RecordEpoch(epoch, student, meanGradient, lossSum / batches);
            }
        }
        return new SeedResult(seed, model, history);
    }
}
