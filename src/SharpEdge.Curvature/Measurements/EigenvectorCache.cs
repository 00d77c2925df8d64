namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// Eigenvectors kept from one measurement call to the next, as warm starts (HEAD's EigenvectorCache,
/// eoss_spec §6.1.10): θ moves little between measurements, so the previous top eigenvectors are close to the
/// new ones and a warm-started solve needs a fraction of the products of a cold one. One entry per operator
/// (<see cref="Hessian"/>, <see cref="GaussNewton"/>, …): unlike HEAD's, whose power-iteration path reads an
/// attribute that does not exist and crashes on the second solve (§15.1.1), every solver reads it the same way.
/// Pass the same cache to the context of every step.
/// </summary>
public sealed class EigenvectorCache
{
    public const string Hessian = "hessian";
    public const string GaussNewton = "gauss-newton";
    public const string NeuralTangentKernel = "ntk";

    /// <summary>The entry of the Hessian restricted to one parameter tensor (per-layer λ_max and top-k).</summary>
    public static string HessianBlock(ParameterBlock block) => $"{Hessian}[{block.Name}]";

    private readonly Dictionary<string, double[][]> entries = [];

    /// <summary>The vectors stored for <paramref name="key"/> of length <paramref name="size"/>, or null (none stored, or stored for another size).</summary>
    public IReadOnlyList<double[]>? Get(string key, int size) =>
        entries.TryGetValue(key, out var vectors) && vectors.Length > 0 && vectors[0].Length == size ? vectors : null;

    /// <summary>
    /// Stores the vectors of <paramref name="key"/> (not copied: the caller hands them over). Fewer vectors than
    /// stored replace the leading ones and keep the rest, so a λ_max solve between two top-k solves leaves the
    /// top-k warm start whole.
    /// </summary>
    public void Store(string key, IReadOnlyList<double[]> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (vectors.Count == 0) return;
        var size = vectors[0].Length;
        if (entries.TryGetValue(key, out var old) && old.Length > vectors.Count && old[0].Length == size)
            entries[key] = [.. vectors, .. old.Skip(vectors.Count)];
        else entries[key] = [.. vectors];
    }

    /// <summary>Every key with its vectors, sorted by key (checkpoints save them; <see cref="Store"/> restores them).</summary>
    public IReadOnlyList<(string Key, IReadOnlyList<double[]> Vectors)> Entries =>
        [.. entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Key, (IReadOnlyList<double[]>)e.Value))];

    public void Clear() => entries.Clear();
}
