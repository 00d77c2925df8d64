using System.Numerics;

namespace SharpEdge.Training;

/// <summary>
/// An update rule θ ← θ − step(g) with state. The state is a list of named buffers plus a step count, so a
/// checkpoint can save it and a resumed run continues bit-identically.
/// </summary>
public abstract class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    protected Optimizer(int parameterCount, double learningRate)
    {
        if (!(learningRate > 0) || !double.IsFinite(learningRate)) throw new ArgumentException($"learning rate must be positive and finite, got {learningRate}");
        ParameterCount = parameterCount;
        LearningRate = learningRate;
    }

    public int ParameterCount { get; }
    public double LearningRate { get; }

    /// <summary>Updates taken so far.</summary>
    public long Steps { get; protected set; }

    public abstract string Name { get; }

    /// <summary>One update of θ in place from the gradient g.</summary>
    public abstract void Step(Span<T> theta, ReadOnlySpan<T> gradient);

    /// <summary>Named state buffers (momentum, Adam moments), live views for checkpoints.</summary>
    public abstract IReadOnlyDictionary<string, T[]> State { get; }

    /// <summary>Restores buffers and the step count saved from an optimizer of the same kind and size.</summary>
    public void Restore(IReadOnlyDictionary<string, T[]> state, long steps)
    {
        foreach (var (name, buffer) in State)
        {
            if (!state.TryGetValue(name, out var saved)) throw new InvalidDataException($"optimizer state lacks '{name}'");
            if (saved.Length != buffer.Length) throw new InvalidDataException($"optimizer state '{name}' has {saved.Length} values, expected {buffer.Length}");
            saved.CopyTo(buffer, 0);
        }
        Steps = steps;
    }

    protected void Check(Span<T> theta, ReadOnlySpan<T> gradient)
    {
        if (theta.Length != ParameterCount || gradient.Length != ParameterCount)
            throw new ArgumentException($"θ and g need {ParameterCount} values, got {theta.Length} and {gradient.Length}");
    }

    public static Optimizer<T> Create(string name, int parameterCount, double learningRate, double momentum = 0) => name switch
    {
        "sgd" => new Sgd<T>(parameterCount, learningRate, momentum, nesterov: false),
        "momentum" => new Sgd<T>(parameterCount, learningRate, momentum == 0 ? 0.9 : momentum, nesterov: false),
        "nesterov" => new Sgd<T>(parameterCount, learningRate, momentum == 0 ? 0.9 : momentum, nesterov: true),
        "adam" when momentum == 0 => new Adam<T>(parameterCount, learningRate),
        "adam" => throw new ArgumentException("adam takes no --momentum (the original raises too)"),
        _ => throw new ArgumentException($"unknown optimizer '{name}' (sgd, momentum, nesterov, adam)"),
    };
}

/// <summary>
/// SGD with heavy-ball or Nesterov momentum in PyTorch's convention (eoss_spec §9.1): b ← μ b + g (b = g at
/// the first step, no dampening), then θ ← θ − η b, or θ ← θ − η (g + μ b) for Nesterov. μ = 0 is plain SGD.
/// </summary>
public sealed class Sgd<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] buffer;

    public Sgd(int parameterCount, double learningRate, double momentum = 0, bool nesterov = false) : base(parameterCount, learningRate)
    {
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentException($"momentum must be in [0, 1), got {momentum}");
        if (nesterov && momentum == 0) throw new ArgumentException("Nesterov needs a positive momentum");
        Momentum = momentum;
        Nesterov = nesterov;
        buffer = momentum > 0 ? new T[parameterCount] : [];
    }

    public double Momentum { get; }
    public bool Nesterov { get; }
    public override string Name => Momentum == 0 ? "sgd" : Nesterov ? "nesterov" : "momentum";

    public override IReadOnlyDictionary<string, T[]> State =>
        Momentum > 0 ? new Dictionary<string, T[]> { ["momentum_buffer"] = buffer } : new Dictionary<string, T[]>();

    /// <summary>The momentum buffer b (empty for plain SGD): momentum batch sharpness needs it.</summary>
    public ReadOnlySpan<T> MomentumBuffer => buffer;

    public override void Step(Span<T> theta, ReadOnlySpan<T> gradient)
    {
        Check(theta, gradient);
        var lr = T.CreateTruncating(LearningRate);
        if (Momentum == 0)
        {
            for (int i = 0; i < theta.Length; i++) theta[i] -= lr * gradient[i];
        }
        else
        {
            var mu = T.CreateTruncating(Momentum);
            bool first = Steps == 0;
            for (int i = 0; i < theta.Length; i++)
            {
                var b = first ? gradient[i] : mu * buffer[i] + gradient[i];
                buffer[i] = b;
                theta[i] -= lr * (Nesterov ? gradient[i] + mu * b : b);
            }
        }
        Steps++;
    }
}

/// <summary>
/// Adam (Kingma and Ba) exactly as torch.optim.Adam without weight decay (eoss_spec §9.1: β = (0.9, 0.999),
/// ε = 1e-8): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − (η/(1−β₁ᵗ)) m / (√v/√(1−β₂ᵗ) + ε).
/// </summary>
public sealed class Adam<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] first;
    private readonly T[] second;

    public Adam(int parameterCount, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8) : base(parameterCount, learningRate)
    {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) throw new ArgumentException($"Adam betas must be in [0, 1), got ({beta1}, {beta2})");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        first = new T[parameterCount];
        second = new T[parameterCount];
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }
    public override string Name => "adam";

    public override IReadOnlyDictionary<string, T[]> State => new Dictionary<string, T[]> { ["exp_avg"] = first, ["exp_avg_sq"] = second };

    public override void Step(Span<T> theta, ReadOnlySpan<T> gradient)
    {
        Check(theta, gradient);
        Steps++;
        var b1 = T.CreateTruncating(Beta1);
        var b2 = T.CreateTruncating(Beta2);
        var c1 = T.One - b1;
        var c2 = T.One - b2;
        var stepSize = T.CreateTruncating(LearningRate / (1 - Math.Pow(Beta1, Steps)));
        var rootCorrection = T.CreateTruncating(Math.Sqrt(1 - Math.Pow(Beta2, Steps)));
        var eps = T.CreateTruncating(Epsilon);
        for (int i = 0; i < theta.Length; i++)
        {
            var g = gradient[i];
            first[i] = b1 * first[i] + c1 * g;
            second[i] = b2 * second[i] + c2 * g * g;
            theta[i] -= stepSize * first[i] / (T.Sqrt(second[i]) / rootCorrection + eps);
        }
    }
}
