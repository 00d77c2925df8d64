using System.Globalization;
using SharpEdge.Nn;
using SharpEdge.Numerics;
using SharpEdge.Runs;

namespace SharpEdge.Training;

/// <summary>
/// Projected SGD (eoss_spec §10.4, HEAD <c>--proj-switch-step s --proj-top-l l [--proj-to-residual]</c>): minibatch
/// SGD up to step s, then each update −η g_B is replaced by −η VVᵀg_B, its part in the span of the top-l eigenvectors
/// V of the full-data Hessian (or by −η (g_B − VVᵀg_B), the part orthogonal to them). V is solved at θ_s and again
/// whenever the refresh cadence fires (HEAD: every step), warm-started from the previous V. Plain SGD only: for plain
/// SGD, projecting the update is projecting the gradient; with momentum or Adam it would not be.
/// </summary>
/// <remarks>
/// Stored per step from s on: <c>proj_grad_ratio</c> = ‖u‖/‖g_B‖ for the projected gradient u (the original's commented-out
/// <c>proj_grad_ratio</c>); at each refresh, <c>proj_eigenvalue_1..l</c>. The basis is in every checkpoint, so a run
/// resumed or forked past s continues on the same subspace (the original refuses to continue such runs).
/// </remarks>
public sealed class ProjectedSgd : UpdateRule
{
    private readonly MinibatchUpdate minibatch;
    private readonly Objective<float> full;
    private readonly double[] coefficients;
    private readonly string[] eigenvalueMetrics;
    private double ratio = double.NaN;
    private ProjectionBasis? refreshed;

    public ProjectedSgd(Objective<float> full, BatchOrder order, long switchStep, int rank, bool toResidual, MeasurementCadence refresh, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(full);
        ArgumentNullException.ThrowIfNull(refresh);
        if (switchStep < 0) throw new ArgumentOutOfRangeException(nameof(switchStep), switchStep, "the switch step must be ≥ 0");
        if (rank < 1 || rank > full.ParameterCount) throw new ArgumentException($"--proj-top-l must be in [1, {full.ParameterCount}] (the model's parameters), got {rank}");
        minibatch = new MinibatchUpdate(full, order);
        this.full = full;
        coefficients = new double[rank];
        eigenvalueMetrics = [.. Enumerable.Range(1, rank).Select(i => "proj_eigenvalue_" + i.ToString(CultureInfo.InvariantCulture))];
        SwitchStep = switchStep;
        Rank = rank;
        ToResidual = toResidual;
        Refresh = refresh;
        Seed = seed;
    }

    public long SwitchStep { get; }
    /// <summary>l, the number of top eigenvectors.</summary>
    public int Rank { get; }
    /// <summary>Keep the part of the update orthogonal to the top-l eigenspace instead of the part inside it.</summary>
    public bool ToResidual { get; }
    /// <summary>When V is solved again (it always is at s, and when the state has none).</summary>
    public MeasurementCadence Refresh { get; }
    /// <summary>With the step, seeds the eigensolver's start vectors.</summary>
    public ulong Seed { get; }

    public override double Evaluate(TrainingState state, long step)
    {
        refreshed = null;
        if (step >= SwitchStep && (state.Projection is null || step == SwitchStep || Refresh.Fires(step, minibatch.Objective.Data.Count)))
        {
            var seed = new Rng((ulong)step * 7919 + Seed).Fork(5).NextUInt64();   // a function of the step: resumed runs solve alike
            state.Projection = refreshed = HessianSubspace.Solve(full, state.Theta, Rank, step, seed, state.Projection?.Vectors);
        }
        return minibatch.Evaluate(state, step);
    }

    public override void Apply(TrainingState state, long step)
    {
        ratio = double.NaN;
        if (step >= SwitchStep)
        {
            var basis = state.Projection ?? throw new InvalidOperationException("Apply of a projected step before its Evaluate");
            var g = minibatch.Gradient;
            var (kept, total) = HessianSubspace.Project<float>(basis, g, g, ToResidual, coefficients);
            ratio = total > 0 ? Math.Sqrt(kept / total) : 0;
        }
        minibatch.Apply(state, step);
    }

    public override int[] TrainingBatch(long step) => minibatch.TrainingBatch(step);

    public override void Report(long step, double epoch, List<MetricRow> rows)
    {
        if (double.IsNaN(ratio)) return;
        rows.Add(new MetricRow(step, epoch, "proj_grad_ratio", ratio));
        if (refreshed is { } basis)
            for (int i = 0; i < basis.Rank; i++) rows.Add(new MetricRow(step, epoch, eigenvalueMetrics[i], basis.Eigenvalues[i]));
    }
}
