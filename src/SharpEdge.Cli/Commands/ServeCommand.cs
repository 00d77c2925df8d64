using System.CommandLine;
using SharpEdge.Dashboard;
using SharpEdge.Runs;

namespace SharpEdge.Cli.Commands;

/// <summary><c>serve</c>: the live dashboard over the run store (docs/dashboard.md).</summary>
public static class ServeCommand
{
    public const string TokenVariable = "SHARPEDGE_DASHBOARD_TOKEN";

    public static Command Create()
    {
        var results = RunsCommands.ResultsOption();
        var port = new Option<int>("--port") { Description = "TCP port (0: any free one)", DefaultValueFactory = _ => DashboardOptions.DefaultPort };
        var host = new Option<string>("--host")
        {
            Description = "address to listen on; anything but loopback needs --token",
            DefaultValueFactory = _ => DashboardOptions.DefaultHost,
        };
        var token = new Option<string?>("--token") { Description = $"secret every request must carry (default ${TokenVariable})" };
        var phase = new Option<string[]>("--phase")
        {
            Description = "a phase sweep folder whose `phase analyze` figures and tables to show (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("serve", "Live dashboard in the browser: runs table, run charts updated while training, compare, sweeps, phase analysis.")
        {
            results, port, host, token, phase,
        };
        command.SetAction(parse =>
        {
            var options = new DashboardOptions
            {
                ResultsFolder = ResultsFolder.Resolve(parse.GetValue(results)),
                Port = parse.GetValue(port),
                Host = parse.GetValue(host)!,
                Token = parse.GetValue(token) ?? NonEmpty(Environment.GetEnvironmentVariable(TokenVariable)),
                PhaseFolders = parse.GetValue(phase) ?? [],
            };
            foreach (var dir in options.PhaseFolders)
                if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"--phase {dir}: no such folder");
            Serve(options).GetAwaiter().GetResult();
        });
        return command;
    }

    private static async Task Serve(DashboardOptions options)
    {
        await using var server = await DashboardServer.StartAsync(options);
        string store = Path.Combine(options.ResultsFolder, RunStore.FileName);
        CommandRunner.Log($"sharpedge serve: {server.Address} (store {store}{(File.Exists(store) ? "" : ", not created yet")}); Ctrl+C stops");
        Console.Out.WriteLine(options.Token is null ? server.Address.ToString() : $"{server.Address}?token=…");
        await server.WaitForShutdownAsync();
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
