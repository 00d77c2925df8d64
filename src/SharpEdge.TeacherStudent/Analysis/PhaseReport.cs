using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpEdge.Numerics.Io;

namespace SharpEdge.TeacherStudent.Analysis;

/// <summary>
/// Writes an analysis as <c>models.csv</c> (one row per model), <c>cells.csv</c> (one row per cell) and
/// <c>phase.json</c> (grid, the heatmap matrices in the notebook's [eps, lr] orientation, critical temperatures,
/// the singular-value flows of the three cells of Fig. 6). Each file is written atomically. NaN is written as
/// an empty CSV field and as JSON null.
/// </summary>
public static class PhaseReport
{
    public const string ModelsFile = "models.csv", CellsFile = "cells.csv", JsonFile = "phase.json";

    public static IReadOnlyList<string> Write(PhaseAnalysis analysis, string folder)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        Directory.CreateDirectory(folder);
        var models = Path.Combine(folder, ModelsFile);
        var cells = Path.Combine(folder, CellsFile);
        var json = Path.Combine(folder, JsonFile);
        AtomicFile.WriteText(models, writer => WriteModels(analysis, writer));
        AtomicFile.WriteText(cells, writer => WriteCells(analysis, writer));
        AtomicFile.WriteText(json, writer => writer.Write(Json(analysis).ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
        return [models, cells, json];
    }

    private static void WriteModels(PhaseAnalysis analysis, TextWriter w)
    {
        w.WriteLine("lr,eps,T,inv_sigma_w,model,seed,test_loss,q_time,hs,hsd,K_t,V_t,V_t_corrected,StN,ordered,ordered_corrected," +
                    "rate,rate_corrected,final_train_loss,final_grad_norm,initial_grad_norm");
        foreach (var cell in analysis.Cells)
            foreach (var m in cell.Models)
                w.WriteLine(string.Join(',', F(cell.LearningRate), F(cell.StudentWidth), F(cell.Summary.Temperature), F(cell.Summary.InverseWidth),
                    m.Model.ToString(CultureInfo.InvariantCulture), m.Seed.ToString(CultureInfo.InvariantCulture), F(m.TestLoss), F(m.QTime), F(m.Hs),
                    F(m.Hsd), F(m.DriftDifference), F(m.NoiseAsCoded), F(m.NoiseCorrected), F(m.SignalToNoise), m.OrderedAsCoded ? "1" : "0",
                    m.OrderedCorrected ? "1" : "0", F(m.RateAsCoded), F(m.RateCorrected), F(m.FinalTrainLoss), F(m.FinalGradientNorm), F(m.InitialGradientNorm)));
    }

    private static void WriteCells(PhaseAnalysis analysis, TextWriter w)
    {
        string[] bands = ["test_loss", "q_time", "final_train_loss", "final_grad_norm", "initial_grad_norm"];
        w.WriteLine("lr,eps,T,inv_sigma_w,models,mean_test_loss,mean_q_time,mean_hs,mean_hsd,mean_rate,mean_rate_corrected,ordered_fraction,ordered_fraction_corrected," +
                    string.Join(',', bands.Select(b => $"{b}_median,{b}_p16,{b}_p84")) + ",sv_ratio_min,sv_ratio_max");
        foreach (var cell in analysis.Cells)
        {
            var s = cell.Summary;
            MedianBand[] values = [s.TestLoss, s.QTime, s.FinalTrainLoss, s.FinalGradientNorm, s.InitialGradientNorm];
            w.WriteLine(string.Join(',', F(s.LearningRate), F(s.StudentWidth), F(s.Temperature), F(s.InverseWidth), s.Models.ToString(CultureInfo.InvariantCulture),
                F(s.MeanTestLoss), F(s.MeanQTime), F(s.MeanHs), F(s.MeanHsd), F(s.MeanRateAsCoded), F(s.MeanRateCorrected), F(s.OrderedFractionAsCoded),
                F(s.OrderedFractionCorrected), string.Join(',', values.Select(b => $"{F(b.Median)},{F(b.Lower)},{F(b.Upper)}")),
                F(s.SingularValueRatios.Min()), F(s.SingularValueRatios.Max())));
        }
    }

    /// <summary>The JSON document (also what <c>phase analyze --json</c> prints, without the flows).</summary>
    public static JsonObject Json(PhaseAnalysis analysis, bool includeFlows = true)
    {
        var d = analysis.Diagram;
        var p = analysis.Parameters;
        JsonArray Matrix(Func<CellSummary, double> select)
        {
            var m = d.Matrix(select);
            var rows = new JsonArray();
            for (int j = 0; j < m.GetLength(0); j++)
            {
                var row = new JsonArray();
                for (int i = 0; i < m.GetLength(1); i++) row.Add(N(m[j, i]));
                rows.Add(row);
            }
            return rows;
        }
        var critical = new JsonArray();
        for (int j = 0; j < d.StudentWidths.Length; j++)
        {
            var levels = new JsonArray();
            foreach (var level in PhaseDiagram.CriterionLevels)
            {
                var tc = d.Critical(j, level);
                levels.Add(new JsonObject { ["level"] = level, ["tc"] = tc.Value is { } v ? N(v) : null, ["note"] = tc.Note });
            }
            critical.Add(new JsonObject { ["eps"] = d.StudentWidths[j], ["inv_sigma_w"] = 1.0 / d.StudentWidths[j], ["levels"] = levels });
        }
        var document = new JsonObject
        {
            ["variant"] = analysis.Diagram.Variant == AnalysisVariant.AsCoded ? "as-coded" : "corrected",
            ["parameters"] = new JsonObject
            {
                ["actf"] = p.Activation.Name(), ["r"] = p.Ratio, ["K"] = p.HiddenUnits, ["L"] = p.Width, ["D"] = p.InputDim, ["bs"] = p.BatchSize,
                ["epochs"] = p.Epochs, ["slots"] = p.Slots, ["slot_epochs"] = Array(analysis.Cells[0].SlotEpochs.Select(e => (double)e)),
            },
            ["cells"] = analysis.Cells.Count,
            ["models"] = analysis.Cells.Sum(c => c.Models.Count),
            ["grid"] = new JsonObject
            {
                ["eps"] = Array(d.StudentWidths), ["lr"] = Array(d.LearningRates), ["inv_sigma_w"] = Array(d.InverseWidths), ["T"] = Array(d.Temperatures),
                ["orientation"] = "matrices are [eps index][lr index], both ascending, as the notebook's arrays",
            },
            ["matrices"] = new JsonObject
            {
                ["mean_test_loss"] = Matrix(c => c.MeanTestLoss), ["mean_q_time"] = Matrix(c => c.MeanQTime), ["mean_hs"] = Matrix(c => c.MeanHs),
                ["mean_hsd"] = Matrix(c => c.MeanHsd), ["lyapunov"] = Matrix(c => c.MeanRate(d.Variant)),
                ["limit"] = Matrix(c => c.OrderedFraction(d.Variant)), ["models"] = Matrix(c => c.Models),
                ["median_final_train_loss"] = Matrix(c => c.FinalTrainLoss.Median),
                ["sv_ratio_min"] = Matrix(c => c.SingularValueRatios.Min()), ["sv_ratio_max"] = Matrix(c => c.SingularValueRatios.Max()), ["median_final_grad_norm"] = Matrix(c => c.FinalGradientNorm.Median),
            },
            ["critical_temperatures"] = critical,
        };
        if (includeFlows)
        {
            var flows = new JsonObject();
            foreach (var (name, cell) in PhaseFigureCells.Flows(analysis))
            {
                int k = p.HiddenUnits;
                flows[name] = new JsonObject
                {
                    ["lr"] = cell.LearningRate, ["eps"] = cell.StudentWidth, ["T"] = cell.Summary.Temperature,
                    ["slot_epochs"] = Array(cell.SlotEpochs.Select(e => (double)e)),
                    ["x"] = new JsonArray(cell.Models.Select(m => (JsonNode)new JsonArray(Enumerable.Range(0, p.Slots)
                        .Select(t => (JsonNode)Array(m.SquaredSingularValues.Skip(t * k).Take(k))).ToArray())).ToArray()),
                    ["x_teacher"] = new JsonArray(cell.Models.Select(m => (JsonNode)Array(m.TeacherSquaredSingularValues)).ToArray()),
                };
            }
            document["singular_value_flows"] = flows;
        }
        return document;
    }

    private static JsonArray Array(IEnumerable<double> values) => new(values.Select(v => N(v)).ToArray());

    private static JsonNode? N(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    private static string F(double value) => double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : "";
}
