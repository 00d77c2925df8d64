using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using SharpEdge.Numerics;

namespace SharpEdge.Nn.Layers;

/// <summary>
/// A scalar activation σ with its first two derivatives, written in terms of the input x and the output
/// y = σ(x) so that the cheaper form can be used (tanh' = 1 − y²).
/// </summary>
public interface IActivationFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract string Name { get; }
    /// <summary>σ'' = 0 almost everywhere (ReLU, identity): the R-backward pass skips the second-order term.</summary>
    static abstract bool IsPiecewiseLinear { get; }
    static abstract T Value(T x);
    static abstract T Derivative(T x, T y);
    static abstract T SecondDerivative(T x, T y);
}

/// <summary>
/// y = σ(x) elementwise. Backward: dx = σ'(x) dy. R-operator: R{y} = σ'(x) R{x},
/// R{dx} = σ'(x) R{dy} + σ''(x) R{x} dy.
/// </summary>
public class Activation<T, TFunction> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TFunction : struct, IActivationFunction<T>
{
    public Activation(int[] shape) : base(shape, shape) { }

    public override string Describe() => TFunction.Name;

    /// <summary>Elementwise, and R-backward reads R{x} only for the σ'' term, which piecewise-linear σ lack.</summary>
    public override bool RPassesInPlace => TFunction.IsPiecewiseLinear;

    public override void Forward(in LayerPass<T> p)
    {
        var n = p.Batch * InputSize;
        Apply(p.X[..n], p.Y[..n]);
    }

    protected virtual void Apply(ReadOnlySpan<T> x, Span<T> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = TFunction.Value(x[i]);
    }

    public override void Backward(in LayerPass<T> p)
    {
        if (p.DX.IsEmpty) return;
        var n = p.Batch * InputSize;
        ReadOnlySpan<T> x = p.X[..n], y = p.Y[..n], dy = p.DY[..n];
        var dx = p.DX[..n];
        for (int i = 0; i < n; i++) dx[i] = TFunction.Derivative(x[i], y[i]) * dy[i];
    }

    public override void RForward(in LayerPass<T> p)
    {
        var n = p.Batch * InputSize;
        var ry = p.RY[..n];
        if (p.RX.IsEmpty) { ry.Clear(); return; }
        ReadOnlySpan<T> x = p.X[..n], y = p.Y[..n], rx = p.RX[..n];
        for (int i = 0; i < n; i++) ry[i] = TFunction.Derivative(x[i], y[i]) * rx[i];
    }

    public override void RBackward(in LayerPass<T> p)
    {
        if (p.RDX.IsEmpty) return;
        var n = p.Batch * InputSize;
        ReadOnlySpan<T> x = p.X[..n], y = p.Y[..n], dy = p.DY[..n], rdy = p.RDY[..n];
        var rdx = p.RDX[..n];
        if (p.RX.IsEmpty || TFunction.IsPiecewiseLinear)
        {
            for (int i = 0; i < n; i++) rdx[i] = TFunction.Derivative(x[i], y[i]) * rdy[i];
            return;
        }
        var rx = p.RX[..n];
        for (int i = 0; i < n; i++)
            rdx[i] = TFunction.Derivative(x[i], y[i]) * rdy[i] + TFunction.SecondDerivative(x[i], y[i]) * rx[i] * dy[i];
    }
}

public struct IdentityFunction<T> : IActivationFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static string Name => "Identity";
    public static bool IsPiecewiseLinear => true;
    public static T Value(T x) => x;
    public static T Derivative(T x, T y) => T.One;
    public static T SecondDerivative(T x, T y) => T.Zero;
}

/// <summary>ReLU with PyTorch's convention σ'(0) = 0.</summary>
public struct ReluFunction<T> : IActivationFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static string Name => "ReLU";
    public static bool IsPiecewiseLinear => true;
    public static T Value(T x) => x > T.Zero ? x : T.Zero;
    public static T Derivative(T x, T y) => x > T.Zero ? T.One : T.Zero;
    public static T SecondDerivative(T x, T y) => T.Zero;
}

/// <summary>tanh: σ' = 1 − y², σ'' = −2y(1 − y²).</summary>
public struct TanhFunction<T> : IActivationFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static string Name => "Tanh";
    public static bool IsPiecewiseLinear => false;
    public static T Value(T x) => T.Tanh(x);
    public static T Derivative(T x, T y) => T.One - y * y;
    public static T SecondDerivative(T x, T y) => -(y + y) * (T.One - y * y);
}

/// <summary>SiLU x·s(x) with s the logistic function: σ' = s(1 + x(1 − s)), σ'' = s(1 − s)(2 + x(1 − 2s)).</summary>
public struct SiluFunction<T> : IActivationFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static string Name => "SiLU";
    public static bool IsPiecewiseLinear => false;
    private static T Sigmoid(T x) => T.One / (T.One + T.Exp(-x));
    public static T Value(T x) => x * Sigmoid(x);
    public static T Derivative(T x, T y)
    {
        var s = Sigmoid(x);
        return s * (T.One + x * (T.One - s));
    }
    public static T SecondDerivative(T x, T y)
    {
        var s = Sigmoid(x);
        var two = T.One + T.One;
        return s * (T.One - s) * (two + x * (T.One - two * s));
    }
}

/// <summary>
/// GELU in PyTorch's exact (erf) form x·Φ(x): σ' = Φ(x) + x φ(x), σ'' = φ(x)(2 − x²), with φ the standard
/// normal density.
/// </summary>
public struct GeluFunction<T> : IActivationFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static string Name => "GELU";
    public static bool IsPiecewiseLinear => false;
    private static T Cdf(T x) => T.CreateTruncating(0.5 * (1.0 + SimdMath.Erf(double.CreateTruncating(x) / Math.Sqrt(2.0))));
    private static T Density(T x)
    {
        var d = double.CreateTruncating(x);
        return T.CreateTruncating(Math.Exp(-0.5 * d * d) / Math.Sqrt(2.0 * Math.PI));
    }
    public static T Value(T x) => x * Cdf(x);
    public static T Derivative(T x, T y) => Cdf(x) + x * Density(x);
    public static T SecondDerivative(T x, T y) => Density(x) * (T.One + T.One - x * x);
}

public sealed class Identity<T>(int[] shape) : Activation<T, IdentityFunction<T>>(shape) where T : unmanaged, IFloatingPointIeee754<T>;

public sealed class Relu<T>(int[] shape) : Activation<T, ReluFunction<T>>(shape) where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Every pass below masks by x &gt; 0, which is y &gt; 0: y may overwrite x.</summary>
    public override bool ForwardInPlace => true;

    protected override void Apply(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Max(x, T.Zero, y);

    // Every pass but the forward one is "keep where x > 0", vectorised (the generic loops cost ~5 ns a value).
    public override void Backward(in LayerPass<T> p)
    {
        if (!p.DX.IsEmpty) Mask(p.X[..(p.Batch * InputSize)], p.DY, p.DX);
    }

    public override void RForward(in LayerPass<T> p)
    {
        int n = p.Batch * InputSize;
        if (p.RX.IsEmpty) p.RY[..n].Clear();
        else Mask(p.X[..n], p.RX, p.RY);
    }

    public override void RBackward(in LayerPass<T> p)
    {
        if (!p.RDX.IsEmpty) Mask(p.X[..(p.Batch * InputSize)], p.RDY, p.RDX);
    }

    /// <summary>output = x &gt; 0 ? input : 0 (PyTorch's ReLU derivative, 0 at 0).</summary>
    private static void Mask(ReadOnlySpan<T> x, ReadOnlySpan<T> input, Span<T> output)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var positive = Vector.GreaterThan(new Vector<T>(x[i..]), Vector<T>.Zero);
                Vector.ConditionalSelect(positive, new Vector<T>(input[i..]), Vector<T>.Zero).CopyTo(output[i..]);
            }
        for (; i < x.Length; i++) output[i] = x[i] > T.Zero ? input[i] : T.Zero;
    }
}

public sealed class Tanh<T>(int[] shape) : Activation<T, TanhFunction<T>>(shape) where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The vectorised kernel; within 2 ulp of Math.Tanh in float64.</summary>
    protected override void Apply(ReadOnlySpan<T> x, Span<T> y)
    {
        if (typeof(T) == typeof(double))
            SimdMath.Tanh(MemoryMarshal.Cast<T, double>(x), MemoryMarshal.Cast<T, double>(y));
        else if (typeof(T) == typeof(float))
            SimdMath.Tanh(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(y));
        else
            base.Apply(x, y);
    }
}

public sealed class Silu<T>(int[] shape) : Activation<T, SiluFunction<T>>(shape) where T : unmanaged, IFloatingPointIeee754<T>;

public sealed class Gelu<T>(int[] shape) : Activation<T, GeluFunction<T>>(shape) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>Reshapes [C, H, W] to [C·H·W]; data is row-major, so the map and its adjoint are copies (none at all at the front of a network, <see cref="Layer{T}.IsReshape"/>).</summary>
public sealed class Flatten<T>(int[] inputShape) : LinearMap<T>(inputShape, [inputShape.Aggregate(1, (a, b) => checked(a * b))])
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string Describe() => "Flatten";
    public override bool IsReshape => true;
    protected override void Apply(int batch, ReadOnlySpan<T> x, Span<T> y) => x[..(batch * InputSize)].CopyTo(y);
    protected override void ApplyAdjoint(int batch, ReadOnlySpan<T> dy, Span<T> dx) => dy[..(batch * InputSize)].CopyTo(dx);
}

