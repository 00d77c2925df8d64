namespace SharpEdge.TeacherStudent;

/// <summary>
/// The hidden-layer nonlinearity σ of generate.py's <c>--actf</c> (phase_ml_spec §1.3); the same σ is used
/// in both hidden layers of teacher and student.
/// </summary>
public enum Activation
{
    /// <summary>σ(x) = tanh x, σ' = 1 − tanh² x (the paper's choice).</summary>
    Tanh,

    /// <summary>σ(x) = x·(x &gt; 0), σ' = 1·(x &gt; 0), so σ'(0) = 0.</summary>
    Relu,

    /// <summary>σ(x) = x, σ' = 1 (generate.py's CLI default).</summary>
    Identity,
}

/// <summary>Scalar σ and σ' exactly as generate.py computes them, and the <c>--actf</c> names.</summary>
public static class ActivationFunctions
{
    /// <summary>The <c>--actf</c> spelling, also used in output folder names (phase_ml_spec §3.4).</summary>
    public static string Name(this Activation activation) => activation switch
    {
        Activation.Tanh => "tanh",
        Activation.Relu => "relu",
        Activation.Identity => "identity",
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };

    /// <summary>Parses an <c>--actf</c> value (case-insensitive).</summary>
    public static Activation Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var activation in Enum.GetValues<Activation>())
            if (string.Equals(activation.Name(), name.Trim(), StringComparison.OrdinalIgnoreCase)) return activation;
        throw new ArgumentException($"unknown activation '{name}'; expected tanh, relu or identity", nameof(name));
    }

    /// <summary>σ(x).</summary>
    public static double Apply(this Activation activation, double x) => activation switch
    {
        Activation.Tanh => Math.Tanh(x),
        // x·(x > 0) as generate.py writes it: NaN stays NaN, which a select would turn into 0.
        Activation.Relu => x * (x > 0.0 ? 1.0 : 0.0),
        Activation.Identity => x,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };

    /// <summary>
    /// σ'(x) given the activated value a = σ(x). For tanh this is 1 − a·a, the original's formula: it is exactly
    /// 0 once tanh has rounded to ±1 (|x| ≳ 19.1), which shapes the saturated dynamics (phase_ml_spec §8.2.10).
    /// For relu a &gt; 0 exactly when x &gt; 0, so the slope needs only a.
    /// </summary>
    public static double SlopeFromActivated(this Activation activation, double activated) => activation switch
    {
        Activation.Tanh => 1.0 - activated * activated,
        Activation.Relu => activated > 0.0 ? 1.0 : 0.0,
        Activation.Identity => 1.0,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };
}
