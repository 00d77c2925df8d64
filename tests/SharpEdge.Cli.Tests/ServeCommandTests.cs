namespace SharpEdge.Cli.Tests;

public class ServeCommandTests
{
    [Theory]
    [InlineData("serve", "--help")]
    [InlineData("bench", "serve", "--help")]
    public void Help_exits_zero(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Usage", r.Stdout);
    }

    [Theory]
    [InlineData("--token", "serve", "--host", "0.0.0.0", "--port", "0")]
    [InlineData("not an IP address", "serve", "--host", "example.org", "--port", "0")]
    [InlineData("--port", "serve", "--port", "70000")]
    [InlineData("--phase", "serve", "--port", "0", "--phase", "/nonexistent/phase/folder")]
    public void Bad_options_are_one_line_errors(string message, params string[] args)
    {
        var r = CliRunner.RunWithEnvironment(new() { ["SHARPEDGE_DASHBOARD_TOKEN"] = "" }, args);
        Assert.NotEqual(0, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("sharpedge: error:", lines[0]);
        Assert.Contains(message, lines[0]);
    }
}
