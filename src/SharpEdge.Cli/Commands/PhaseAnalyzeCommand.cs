using System.CommandLine;
using System.Diagnostics;
using SharpEdge.TeacherStudent.Analysis;

namespace SharpEdge.Cli.Commands;

/// <summary><c>phase analyze</c>: the notebook's observables and figures over a folder of trained cells (phase_ml_spec §5–§6).</summary>
public static class PhaseAnalyzeCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("DIR") { Description = "folder with the cells' data.npz files (searched recursively; files of the same lr and eps are one cell)" };
        var figures = new Option<string?>("--figures") { Description = "folder for the PNG figures (default DIR/figures)" };
        var output = new Option<string?>("--out") { Description = "folder for models.csv, cells.csv and phase.json (default DIR/analysis)" };
        var corrected = new Option<bool>("--corrected")
        {
            Description = "use the corrected V_t (index K−1−k, variance of the rotated dX), the growth rate per elapsed epoch and Tc with the real batch size; " +
                          "default: reproduce the notebook's quirks (both variants are always in models.csv)",
        };
        var noFigures = new Option<bool>("--no-figures") { Description = "write the tables only" };
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("analyze", "Per-model and per-cell observables (test loss, q_time, hs, hsd, K_t, V_t, criterion, Tc, growth rate, singular-value flows) as CSV/JSON, and the paper's figures.")
        {
            folder, figures, output, corrected, noFigures, threads, json,
        };
        command.SetAction(parse =>
        {
            var root = parse.GetValue(folder)!;
            var variant = parse.GetValue(corrected) ? AnalysisVariant.Corrected : AnalysisVariant.AsCoded;
            var clock = Stopwatch.StartNew();
            var progress = new ProgressLine("phase analyze");
            var analysis = PhaseAnalysis.Run(root, variant, Numerics.Parallelism.Threads,
                p => progress.Report((double)p.FilesDone / p.FilesTotal, EstimateRemaining(clock, p), $"{p.FilesDone}/{p.FilesTotal} files"));
            progress.Done();
            var tables = PhaseReport.Write(analysis, parse.GetValue(output) ?? Path.Combine(root, "analysis"));
            IReadOnlyList<string> drawn = [];
            if (!parse.GetValue(noFigures)) drawn = PhaseFigures.DrawAll(analysis, parse.GetValue(figures) ?? Path.Combine(root, "figures"));
            var models = analysis.Cells.Sum(c => c.Models.Count);
            CommandRunner.Log($"phase analyze: {analysis.Cells.Count} cells, {models} models in {clock.Elapsed.TotalSeconds:F1} s ({(variant == AnalysisVariant.AsCoded ? "as coded" : "corrected")})");
            var d = analysis.Diagram;
            var tc = d.Critical(0, PhaseDiagram.CriterionLevels[0]);
            CommandRunner.Log($"phase analyze: Tc (68 %) at 1/σ_W = {1 / d.StudentWidths[0]:G4}: {(tc.Value is { } v ? v.ToString("G4") : tc.Note)}");
            foreach (var path in tables.Concat(drawn)) CommandRunner.Log($"  wrote {path}");
            if (parse.GetValue(json))
                CommandRunner.WriteJson(new { files = tables, figures = drawn, analysis = PhaseReport.Json(analysis, includeFlows: false) });
        });
        return command;
    }

    private static TimeSpan EstimateRemaining(Stopwatch clock, AnalysisProgress p) =>
        p.FilesDone == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / p.FilesDone * (p.FilesTotal - p.FilesDone));
}
