namespace SharpEdge.Training;

/// <summary>
/// The state of quadratic dynamics (eoss_spec §10.3): the anchor θ_s the loss is expanded around, the step s it
/// was taken at, and the displacement δ = θ − θ_s that the dynamics move. δ is kept, not recomputed as θ − θ_s,
/// because θ = θ_s + δ rounds in float32 and δ would not survive the round trip; a checkpoint saves both.
/// </summary>
public sealed class TaylorAnchor
{
    public TaylorAnchor(float[] anchor, float[] delta, long step)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        ArgumentNullException.ThrowIfNull(delta);
        if (anchor.Length != delta.Length) throw new ArgumentException($"the anchor has {anchor.Length} values, δ {delta.Length}");
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "the anchor step must be ≥ 0");
        Anchor = anchor;
        Delta = delta;
        Step = step;
    }

    /// <summary>A fresh anchor at θ (copied) with δ = 0.</summary>
    public static TaylorAnchor At(ReadOnlySpan<float> theta, long step) => new(theta.ToArray(), new float[theta.Length], step);

    /// <summary>θ_s, fixed once taken.</summary>
    public float[] Anchor { get; }

    /// <summary>δ = θ − θ_s, updated in place by every step of the dynamics.</summary>
    public float[] Delta { get; }

    /// <summary>The step s whose parameters θ_s are the anchor.</summary>
    public long Step { get; }

    public TaylorAnchor Clone() => new((float[])Anchor.Clone(), (float[])Delta.Clone(), Step);
}
