using System.Text.Json;

namespace SharpEdge.Cli.Tests;

public class CliContractTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("model", "--help")]
    [InlineData("model", "info", "--help")]
    [InlineData("model", "hvp", "--help")]
    [InlineData("bench", "gemm", "--help")]
    [InlineData("bench", "engine", "--help")]
    [InlineData("bench", "ptx", "--help")]
    [InlineData("demo", "--help")]
    [InlineData("plot", "--help")]
    public void Help_exits_zero(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Usage", r.Stdout);
    }

    [Fact]
    public void Model_info_json_lists_tensors_in_pytorch_order()
    {
        var r = CliRunner.Run("model", "info", "--model", "mlp", "--input-shape", "784", "--classes", "10", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);   // the JSON document is the only thing on stdout
        Assert.Equal(669_706, doc.RootElement.GetProperty("parameters").GetInt32());
        var tensors = doc.RootElement.GetProperty("tensors").EnumerateArray()
            .Select(t => t.GetProperty("name").GetString() + ":" + string.Join("x", t.GetProperty("shape").EnumerateArray().Select(s => s.GetInt32())))
            .ToArray();
        Assert.Equal(new[] { "layers.0.weight:512x784", "layers.0.bias:512", "layers.1.weight:512x512", "layers.1.bias:512", "layers.2.weight:10x512", "layers.2.bias:10" }, tensors);
    }

    [Fact]
    public void Image_input_shapes_are_flattened_by_mlps()
    {
        var r = CliRunner.Run("model", "info", "--model", "mlp", "--input-shape", "3x32x32", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal(1_841_162, doc.RootElement.GetProperty("parameters").GetInt32());
    }

    [Theory]
    [InlineData("unknown model 'nonsense'", "model", "info", "--model", "nonsense", "--json")]
    [InlineData("'0' is not a positive size", "model", "info", "--model", "mlp", "--input-shape", "0x3")]
    [InlineData("--lr", "demo", "--lr", "-1")]
    public void Errors_are_one_line_on_stderr_with_a_nonzero_exit(string message, params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal("", r.Stdout);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(message, lines[0]);
        Assert.StartsWith("sharpedge: error:", lines[0]);
    }

    [Fact]
    public void Unknown_option_is_a_parse_error()
    {
        var r = CliRunner.Run("model", "info", "--model", "mlp", "--bogus");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--bogus", r.Stderr);
    }
}
