using System.Diagnostics;

namespace SharpEdge.Numerics;

/// <summary>One square-GEMM timing: the median over repetitions, in GFLOP/s (2 n^3 flops per call).</summary>
public sealed record GemmBenchResult(int N, string Dtype, int Threads, double Gflops);

/// <summary>
/// Times square n x n x n GEMMs (C = A * B, no transposes) so the managed kernels can be compared with a BLAS
/// measured the same way (bench/gemm_numpy.py).
/// </summary>
public static class GemmBench
{
    private static readonly TimeSpan TargetPerConfiguration = TimeSpan.FromSeconds(0.5);
    private const int MinRepetitions = 5;
    private const int MaxRepetitions = 500;

    /// <param name="sizes">Matrix sizes n.</param>
    /// <param name="threads">Thread counts to try for every size.</param>
    /// <param name="dtypes">"f32" and/or "f64" ("float"/"float32"/"double"/"float64" are accepted too).</param>
    /// <param name="log">Receives one human-readable line per configuration.</param>
    public static IReadOnlyList<GemmBenchResult> Run(IEnumerable<int> sizes, IEnumerable<int> threads, IEnumerable<string> dtypes, Action<string>? log)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(threads);
        ArgumentNullException.ThrowIfNull(dtypes);
        var sizeList = sizes.ToList();
        var threadList = threads.ToList();
        foreach (var n in sizeList)
            if (n < 1) throw new ArgumentOutOfRangeException(nameof(sizes), n, "sizes must be >= 1");
        foreach (var t in threadList)
            if (t < 1) throw new ArgumentOutOfRangeException(nameof(threads), t, "thread counts must be >= 1");

        var results = new List<GemmBenchResult>();
        foreach (var dtype in dtypes.Select(Normalize))
        {
            foreach (var n in sizeList)
            {
                foreach (var t in threadList)
                {
                    double gflops = dtype == "f32" ? Measure<float>(n, t) : Measure<double>(n, t);
                    var result = new GemmBenchResult(n, dtype, t, gflops);
                    results.Add(result);
                    log?.Invoke($"gemm n={n} {dtype} threads={t} kernel={Gemm.DefaultKernel}: {gflops:F1} GFLOP/s (median)");
                }
            }
        }

        return results;
    }

    private static string Normalize(string dtype) => dtype.Trim().ToLowerInvariant() switch
    {
        "f32" or "float" or "float32" or "single" => "f32",
        "f64" or "double" or "float64" => "f64",
        _ => throw new ArgumentException($"unknown dtype '{dtype}'; use f32 or f64", nameof(dtype)),
    };

    private static double Measure<T>(int n, int threads) where T : unmanaged
    {
        var a = Random<T>(n * n, seed: 1);
        var b = Random<T>(n * n, seed: 2);
        var c = new T[n * n];
        T one = typeof(T) == typeof(float) ? (T)(object)1f : (T)(object)1d;
        T zero = default;

        void Call() => Gemm.Multiply<T>(false, false, n, n, n, one, a, n, b, n, zero, c, n, threads);

        // Warm-up: JIT tiers, per-thread packing buffers, thread-pool threads.
        var watch = Stopwatch.StartNew();
        int warmups = 0;
        do
        {
            Call();
            warmups++;
        } while (warmups < 2 || (watch.Elapsed < TargetPerConfiguration / 5 && warmups < 50));

        double estimate = watch.Elapsed.TotalSeconds / warmups;
        int repetitions = (int)Math.Clamp(TargetPerConfiguration.TotalSeconds / estimate, MinRepetitions, MaxRepetitions);
        var seconds = new double[repetitions];
        for (int r = 0; r < repetitions; r++)
        {
            long start = Stopwatch.GetTimestamp();
            Call();
            seconds[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        Array.Sort(seconds);
        double median = seconds[repetitions / 2];
        return 2.0 * n * n * (double)n / median / 1e9;
    }

    private static T[] Random<T>(int length, int seed) where T : unmanaged
    {
        var random = new Random(seed);
        var values = new T[length];
        for (int i = 0; i < length; i++)
        {
            double value = random.NextDouble() - 0.5;
            values[i] = typeof(T) == typeof(float) ? (T)(object)(float)value : (T)(object)value;
        }

        return values;
    }
}
