using SharpEdge.Curvature.Measurements;
using SharpEdge.Nn;
using static SharpEdge.Curvature.Tests.Measurements.NetworkFixtures;

namespace SharpEdge.Curvature.Tests.Measurements;

/// <summary>
/// GNI and the one-step loss change against exact expectations over every batch of a tiny data set, and the
/// second-order identity (E_B[L(θ − ηg_B)] − L)/(η‖g‖²) = −1 + (η/2)·GNI + O(η²) (eoss_spec §1).
/// </summary>
public class GniAndOneStepTests
{
    private const int Count = 8, Batch = 2;

    private static (Objective<double> Objective, double[] Theta, double[] Gradient, double Loss, List<double[]> BatchGradients) Setup(string loss)
    {
        var (objective, theta) = Problem(loss, Count);
        var g = new double[theta.Length];
        var value = objective.Linearize(theta, g);
        var batchGradients = Subsets(Count, Batch).Select(batch =>
        {
            var o = new Objective<double>(objective.Network, objective.Loss, objective.Data.Gather(batch));
            var gb = new double[theta.Length];
            o.Linearize(theta, gb);
            return gb;
        }).ToList();
        return (objective, theta, g, value, batchGradients);
    }

    private static double ExactGni(Objective<double> objective, double[] g, List<double[]> batchGradients)
    {
        var h = new double[g.Length];
        return batchGradients.Average(gb =>
        {
            objective.HessianVectorProduct(gb, h);
            return Dot(gb, h);
        }) / Dot(g, g);
    }

    private static double ExactOneStep(double[] theta, double[] g, double loss, List<double[]> batchGradients, double eta, Objective<double> evaluator) =>
        (batchGradients.Average(gb => evaluator.Evaluate(theta.Select((t, i) => t - eta * gb[i]).ToArray())) - loss) / (eta * Dot(g, g));

    [Theory]
    [InlineData("mse")]
    [InlineData("ce")]
    public void Gni_and_one_step_change_match_their_enumerated_expectations(string loss)
    {
        var (objective, theta, g, value, batchGradients) = Setup(loss);
        var exactGni = ExactGni(objective, g, batchGradients);
        var evaluator = new Objective<double>(objective.Network, objective.Loss, objective.Data);
        const double eta = 0.5;
        var exactStep = ExactOneStep(theta, g, value, batchGradients, eta, evaluator);

        var context = Context(objective, theta, seed: 1, batch: Batch, lr: eta);
        var gni = new GradientNoiseInteraction().Measure(context).Value;
        var step = new OneStepLossChange().Measure(context).Value;
        Assert.True(Math.Abs(gni.Value - exactGni) <= 4 * gni.StandardError!.Value, $"GNI {gni.Value} ± {gni.StandardError} vs {exactGni}");
        Assert.True(Math.Abs(step.Value - exactStep) <= 4 * step.StandardError!.Value, $"one-step {step.Value} ± {step.StandardError} vs {exactStep}");
        Assert.Equal(gni.Samples + 1, gni.Products);
    }

    [Theory]
    [InlineData("mse")]
    [InlineData("ce")]
    public void One_step_change_approaches_minus_one_plus_half_eta_gni_as_eta_goes_to_zero(string loss)
    {
        var (objective, theta, g, value, batchGradients) = Setup(loss);
        var exactGni = ExactGni(objective, g, batchGradients);
        var evaluator = new Objective<double>(objective.Network, objective.Loss, objective.Data);
        // exact expectations: the gap to the second-order prediction shrinks like η² (by ≈ 100 per decade once
        // η·GNI ≪ 1), faster than the first-order term η·GNI/2 (by 10)
        double Gap(double eta) => Math.Abs(ExactOneStep(theta, g, value, batchGradients, eta, evaluator) - (-1 + eta / 2 * exactGni));
        Assert.True(Gap(1e-3) < Gap(1e-2) / 10, $"gaps {Gap(1e-2)} then {Gap(1e-3)}");
        Assert.True(Gap(1e-4) < Gap(1e-3) / 50, $"gaps {Gap(1e-3)} then {Gap(1e-4)}");

        // the measurements: 2(c(η) + 1)/η estimates GNI as η → 0, within the Monte-Carlo error of both
        var fixedSamples = MonteCarloSettings.Fixed(400);
        foreach (var eta in new[] { 1e-2, 1e-3, 1e-4 })
        {
            var context = Context(objective, theta, seed: 3, batch: Batch, lr: eta, monteCarlo: fixedSamples);
            var gni = new GradientNoiseInteraction().Measure(context).Value;
            var step = new OneStepLossChange().Measure(context).Value;
            var implied = 2 * (step.Value + 1) / eta;
            var impliedSe = 2 * step.StandardError!.Value / eta;
            var tolerance = 4 * Math.Sqrt(impliedSe * impliedSe + gni.StandardError!.Value * gni.StandardError.Value) + 20 * eta * Math.Abs(exactGni);
            Assert.True(Math.Abs(implied - gni.Value) <= tolerance, $"η={eta}: 2(c+1)/η = {implied} ± {impliedSe}, GNI {gni.Value} ± {gni.StandardError}");
        }
    }

    [Fact]
    public void The_one_step_change_does_not_depend_on_what_was_measured_before()
    {
        // HEAD's bug (§15.1.5): a stale .grad made ‖g‖² depend on earlier measurements; here the order is irrelevant
        var (objective, theta, _, _, _) = Setup("mse");
        var first = new OneStepLossChange().Measure(Context(objective, theta, seed: 8, batch: Batch, lr: 0.2)).Value.Value;
        var context = Context(objective, theta, seed: 8, batch: Batch, lr: 0.2);
        new BatchSharpness().Measure(context);
        new LambdaMax().Measure(context);
        Assert.Equal(first, new OneStepLossChange().Measure(context).Value.Value);
    }
}
