using SharpEdge.Numerics.Io;

namespace SharpEdge.TeacherStudent;

public static partial class PhaseOutput
{
    // Members with one entry per seed (axis 0); every other member is a parameter that must match.
    private static readonly HashSet<string> PerSeedMembers = ["W", "dW", "loss", "Wt", "Z", "M", "seeds", "diverged_epoch"];

    /// <summary>
    /// Adds newly trained seeds to the cell's plain-format file, keeping the seeds already there (their models
    /// are not recomputed; a model is a function of its seed and the parameters). Writes a new file when there
    /// is none. Throws if the file was written with other parameters or already holds one of the seeds.
    /// </summary>
    public static string AddSeeds(string root, TeacherStudentConfig config, IReadOnlyList<SeedResult> results)
    {
        ArgumentNullException.ThrowIfNull(config);
        CheckResults(config, results);
        string path = Path.Combine(CellDirectory(root, config), FileName);
        if (!File.Exists(path)) return Write(root, config, results);

        var existing = Npz.Read(path);
        var added = Arrays(config, results);
        foreach (var (name, array) in added)
        {
            if (!existing.TryGetValue(name, out var old))
                throw new InvalidOperationException($"{path} has no member '{name}'; is it a plain-format SharpEdge file?");
            if (!PerSeedMembers.Contains(name) && !SameArray(old, array))
                throw new InvalidOperationException($"{path} was written with {name} = {Describe(old)}, not {Describe(array)}; a cell's seeds must share all parameters");
        }
        var duplicates = existing["seeds"].AsInt64().Intersect(results.Select(r => r.Seed)).ToList();
        if (duplicates.Count > 0)
            throw new InvalidOperationException($"{path} already holds seed(s) {string.Join(", ", duplicates)}");

        var merged = added.Select(member => PerSeedMembers.Contains(member.Key)
            ? new KeyValuePair<string, NpyArray>(member.Key, ConcatenateSeeds(existing[member.Key], member.Value))
            : member);
        Npz.Write(path, merged);
        return path;
    }

    private static NpyArray ConcatenateSeeds(NpyArray first, NpyArray second)
    {
        if (first.Dtype != second.Dtype || !first.Shape.AsSpan(1).SequenceEqual(second.Shape.AsSpan(1)))
            throw new InvalidOperationException($"cannot append {second} to {first}: shapes or types differ");
        var data = Array.CreateInstance(first.Data.GetType().GetElementType()!, first.Data.Length + second.Data.Length);
        Array.Copy(first.Data, data, first.Data.Length);
        Array.Copy(second.Data, 0, data, first.Data.Length, second.Data.Length);
        int[] shape = (int[])first.Shape.Clone();
        shape[0] += second.Shape[0];
        return new NpyArray(first.Dtype, shape, data);
    }

    private static bool SameArray(NpyArray a, NpyArray b) =>
        a.Dtype == b.Dtype && a.Shape.AsSpan().SequenceEqual(b.Shape) && a.Data.Cast<object>().SequenceEqual(b.Data.Cast<object>());

    private static string Describe(NpyArray array) =>
        array.Data.Length == 1 ? Convert.ToString(array.Data.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) ?? "?" : array.ToString();
}
