using SharpEdge.Sweeps.Slurm;

namespace SharpEdge.Sweeps.Tests;

public class SlurmScriptTests
{
    [Fact]
    public void Arrays_stay_under_MaxArraySize()
    {
        Assert.Equal([(0, 1001), (1001, 1001), (2002, 498)], SlurmScript.Chunks(2500, 1001));
        Assert.Equal([(0, 3)], SlurmScript.Chunks(3, 1001));
        Assert.Empty(SlurmScript.Chunks(0, 10));
    }

    [Fact]
    public void The_script_asks_for_the_resources_and_runs_its_element_of_the_chunk()
    {
        var text = SlurmScript.Text("sweep-x", 4, throttle: 2, threads: 3, new SlurmSettings { Time = "01:00:00", Memory = "2G", Partition = "cpu", Account = "lab", Gres = "gpu:1", Qos = "normal", Constraint = "h100|a100" },
            "/r/sweeps/x/slurm/logs", "/work", new TaskLauncher("/usr/bin/dotnet", ["/opt/it's/sharpedge.dll"]), "/r/sweeps/x/slurm/a-0.json");
        var lines = text.Split('\n');
        Assert.Equal("#!/bin/bash", lines[0]);
        foreach (var expected in new[] { "--array=0-3%2", "--cpus-per-task=3", "--time=01:00:00", "--mem=2G", "--partition=cpu", "--account=lab", "--gres=gpu:1", "--qos=normal", "--constraint=h100|a100",
                                         "--chdir=/work", "--output=/r/sweeps/x/slurm/logs/%A_%a.out", "--job-name=sweep-x" })
            Assert.Contains("#SBATCH " + expected, lines);
        Assert.Contains("exec '/usr/bin/dotnet' '/opt/it'\\''s/sharpedge.dll' sweep exec '/r/sweeps/x/slurm/a-0.json' --index \"$SLURM_ARRAY_TASK_ID\"", lines);
    }

    [Fact]
    public void Options_left_out_are_not_written()
    {
        var text = SlurmScript.Text("s", 1, null, 1, new SlurmSettings(), "/l", "/w", new TaskLauncher("/x/sharpedge", []), "/c.json");
        Assert.Contains("#SBATCH --array=0-0\n", text);
        Assert.DoesNotContain("--time", text);
        Assert.DoesNotContain("--partition", text);
        Assert.DoesNotContain("--gres", text);
        Assert.Throws<ArgumentException>(() => SlurmScript.Text("s", 1, null, 1, new SlurmSettings { Partition = "a b" }, "/l", "/w", new TaskLauncher("/x", []), "/c"));
    }
}
