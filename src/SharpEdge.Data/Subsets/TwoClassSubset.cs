namespace SharpEdge.Data.Subsets;

/// <summary>
/// The deterministic rule of the original <c>cifar10_2cls</c> (eoss_spec §4.2): the first <c>num_data // 2</c>
/// indices of each of the two classes, concatenated and sorted, so the seed plays no part. The test split keeps
/// every sample of the two classes (pass <c>perClass = int.MaxValue</c>).
/// </summary>
public static class TwoClassSubset
{
    public static int[] Select(ReadOnlySpan<int> labels, int firstClass, int secondClass, int perClass)
    {
        if (firstClass == secondClass) throw new ArgumentException($"the two classes must differ, got {firstClass} twice");
        var first = new List<int>();
        var second = new List<int>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] == firstClass && first.Count < perClass) first.Add(i);
            else if (labels[i] == secondClass && second.Count < perClass) second.Add(i);
        }
        var chosen = first.Concat(second).ToArray();
        Array.Sort(chosen);
        return chosen;
    }
}
