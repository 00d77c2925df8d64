namespace SharpEdge.TeacherStudent.Tests;

public class TeacherStudentNetworkTests
{
    private static TeacherStudentConfig SmallConfig(Activation activation) => new()
    {
        Activation = activation,
        HiddenUnits = 4,
        Ratio = 2,
        BatchSize = 5,
        BatchCount = 2,
        Epochs = 1,
        StudentWidth = 1.5,
    };

    // phase_ml_spec §10.1.1: the gradient against central differences of L_B, relative error < 1e-6.
    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Identity)]
    public void GradientMatchesCentralFiniteDifferences(Activation activation)
    {
        var config = SmallConfig(activation);
        var model = TeacherStudentModel.Generate(config, seed: 11);
        var network = new TeacherStudentNetwork(config, model.FirstLayer, model.Readout);
        int batch = config.BatchSize, d = config.InputDim;
        var inputs = model.Inputs.AsSpan(0, batch * d).ToArray();
        var labels = model.Labels.AsSpan(0, batch).ToArray();
        var student = (double[])model.InitialStudent.Clone();

        var gradient = new double[student.Length];
        double loss = network.LossAndGradient(student, inputs, labels, gradient);
        Assert.Equal(network.Loss(student, inputs, labels), loss, 15);

        var numeric = new double[student.Length];
        for (int i = 0; i < student.Length; i++)
        {
            double original = student[i], step = 1e-6 * Math.Max(1.0, Math.Abs(original));
            student[i] = original + step;
            double above = network.Loss(student, inputs, labels);
            student[i] = original - step;
            double below = network.Loss(student, inputs, labels);
            student[i] = original;
            numeric[i] = (above - below) / (2 * step);
        }
        Assert.Contains(gradient, g => g != 0.0);
        Compare.Close(gradient, numeric, 1e-6, $"{activation} gradient vs finite differences");
    }

    // phase_ml_spec §10.1.2: labels are noiseless and computed by the same code, so the teacher has loss and gradient 0 exactly.
    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Identity)]
    public void TeacherAsStudentHasZeroLossAndGradient(Activation activation)
    {
        var config = SmallConfig(activation);
        var model = TeacherStudentModel.Generate(config, seed: 3);
        var network = new TeacherStudentNetwork(config, model.FirstLayer, model.Readout);
        var gradient = new double[model.Teacher.Length];
        double loss = network.LossAndGradient(model.Teacher, model.Inputs, model.Labels, gradient);
        Assert.Equal(0.0, loss);
        Assert.All(gradient, g => Assert.Equal(0.0, g));
    }

    [Fact]
    public void LossIsHalfTheMeanSquaredError()
    {
        var config = SmallConfig(Activation.Tanh);
        var model = TeacherStudentModel.Generate(config, seed: 5);
        var network = new TeacherStudentNetwork(config, model.FirstLayer, model.Readout);
        var features = new double[config.FirstHiddenWidth];
        var hidden = new double[config.HiddenUnits];
        double sum = 0.0;
        for (int n = 0; n < config.SampleCount; n++)
        {
            // Independent forward pass: φ1 = tanh(M x), φ2 = tanh(Wp φ1), ŷ = Z φ2.
            for (int l = 0; l < features.Length; l++)
            {
                double z = 0.0;
                for (int i = 0; i < config.InputDim; i++) z += model.FirstLayer[l * config.InputDim + i] * model.Inputs[n * config.InputDim + i];
                features[l] = Math.Tanh(z);
            }
            double output = 0.0;
            for (int k = 0; k < hidden.Length; k++)
            {
                double z = 0.0;
                for (int l = 0; l < features.Length; l++) z += model.InitialStudent[k * features.Length + l] * features[l];
                output += model.Readout[k] * Math.Tanh(z);
            }
            sum += (model.Labels[n] - output) * (model.Labels[n] - output);
        }
        Assert.Equal(0.5 * sum / config.SampleCount, network.Loss(model.InitialStudent, model.Inputs, model.Labels), 14);
    }
}
