using System.CommandLine;
using SharpEdge.Cli;
using SharpEdge.Cli.Commands;

var root = new RootCommand("SharpEdge: SGD dynamics and loss-landscape curvature (EoSS, teacher-student phase diagrams).");
root.Subcommands.Add(ModelCommands.Create());
root.Subcommands.Add(BenchCommands.Create());
root.Subcommands.Add(MeasureCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(DataCommands.Create());
root.Subcommands.Add(PhaseCommands.Create());
root.Subcommands.Add(RunsCommands.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(PlotCommand.Create());
root.Subcommands.Add(SweepCommands.Create(root));
root.Subcommands.Add(ServeCommand.Create());
return CommandRunner.Run(root, args);
