namespace SharpEdge.Data;

/// <summary>
/// Where installed data sets live. <c>$SHARPEDGE_DATA</c> if set, otherwise a per-user folder
/// (<c>~/.local/share/sharpedge/datasets</c> on Linux): not the working directory, so commands find the data
/// wherever they run, and downloads never land inside a clone. Each set has its own subfolder in the layout of
/// the original's <c>$DATASETS</c> (cifar10/, fmnist/, svhn/, cinic10/, imagenet32/, mnist/), so pointing
/// <c>SHARPEDGE_DATA</c> at an existing EoSS data folder works. The shipped <c>fmnist-mini</c> is always read
/// from the copy next to the binaries.
/// </summary>
public static class DataFolder
{
    public const string Variable = "SHARPEDGE_DATA";

    public static string Default =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
            "sharpedge", "datasets");

    /// <summary>The data root: <paramref name="explicitFolder"/> (a command's --data-dir), else $SHARPEDGE_DATA, else <see cref="Default"/>.</summary>
    public static string Resolve(string? explicitFolder = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitFolder)) return Path.GetFullPath(explicitFolder);
        var variable = Environment.GetEnvironmentVariable(Variable);
        return Path.GetFullPath(string.IsNullOrWhiteSpace(variable) ? Default : variable);
    }

    /// <summary>Which of the three rules gave the root, for messages.</summary>
    public static string Origin(string? explicitFolder = null) =>
        !string.IsNullOrWhiteSpace(explicitFolder) ? "--data-dir"
        : !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)) ? $"${Variable}"
        : $"the default; set ${Variable} to change it";

    /// <summary>Data sets that travel with the binaries (fmnist-mini).</summary>
    public static string Shipped => Path.Combine(AppContext.BaseDirectory, "datasets");
}
