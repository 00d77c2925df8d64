namespace SharpEdge.TeacherStudent.Analysis;

/// <summary>The cells the notebook singles out (phase_ml_spec §5.7, §6), picked on whatever grid was analysed.</summary>
public static class PhaseFigureCells
{
    /// <summary>
    /// Fig. 6's three cells: "ordered" (smallest eps, smallest lr), "paramagnetic" (smallest eps, the lr nearest
    /// 16 — the notebook's lr index −5 — or the largest below it) and "spin_glass" (largest eps, smallest lr).
    /// </summary>
    public static IEnumerable<(string Name, AnalyzedCell Cell)> Flows(PhaseAnalysis analysis)
    {
        var d = analysis.Diagram;
        double epsMin = d.StudentWidths[0], epsMax = d.StudentWidths[^1], lrMin = d.LearningRates[0];
        double lrPara = d.LearningRates.MinBy(lr => Math.Abs(Math.Log(lr / 16.0)));
        foreach (var (name, lr, eps) in new[] { ("ordered", lrMin, epsMin), ("paramagnetic", lrPara, epsMin), ("spin_glass", lrMin, epsMax) })
            if (analysis.Find(lr, eps) is { } cell) yield return (name, cell);
    }
}
