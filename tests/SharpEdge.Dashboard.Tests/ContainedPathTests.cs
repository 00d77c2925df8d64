namespace SharpEdge.Dashboard.Tests;

public sealed class ContainedPathTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "sharpedge-contained-" + Guid.NewGuid().ToString("N"));

    public ContainedPathTests()
    {
        Directory.CreateDirectory(Path.Combine(root, "results", "runs", "1"));
        File.WriteAllText(Path.Combine(root, "results", "runs", "1", "results.txt"), "ok");
        File.WriteAllText(Path.Combine(root, "outside.txt"), "no");
        Directory.CreateSymbolicLink(Path.Combine(root, "results", "linked"), root);
    }

    private string Results => Path.Combine(root, "results");

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Theory]
    [InlineData("results.txt", true)]
    [InlineData("..", false)]
    [InlineData(".", false)]
    [InlineData(".hidden", false)]
    [InlineData("a/b", false)]
    [InlineData("a\\b", false)]
    [InlineData("", false)]
    [InlineData("x%2F", false)]
    public void Only_plain_names_are_names(string name, bool plain) => Assert.Equal(plain, ContainedPath.IsPlainName(name));

    [Fact]
    public void Folders_outside_the_root_or_through_a_link_are_not_inside()
    {
        Assert.True(ContainedPath.IsInside(Results, Path.Combine(Results, "runs", "1")));
        Assert.True(ContainedPath.IsInside(Results, Results));
        Assert.False(ContainedPath.IsInside(Results, root));
        Assert.False(ContainedPath.IsInside(Results, Path.Combine(Results, "..", "outside.txt")));
        Assert.False(ContainedPath.IsInside(Results, Results + "-sibling"));
        Assert.False(ContainedPath.IsInside(Results, Path.Combine(Results, "linked", "outside.txt")));
    }

    [Fact]
    public void Files_resolve_only_inside()
    {
        Assert.NotNull(ContainedPath.File(Results, Path.Combine(Results, "runs", "1"), "results.txt"));
        Assert.Null(ContainedPath.File(Results, Path.Combine(Results, "runs", "1"), "missing.txt"));
        Assert.Null(ContainedPath.File(Results, root, "outside.txt"));
        Assert.Null(ContainedPath.File(Results, Path.Combine(Results, "linked"), "outside.txt"));
    }
}
