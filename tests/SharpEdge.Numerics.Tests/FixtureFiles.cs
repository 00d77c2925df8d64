using System.Runtime.CompilerServices;

namespace SharpEdge.Numerics.Tests;

/// <summary>
/// Locates the reference files made by Fixtures/make_fixtures.py: first next to the test
/// assembly (csproj copies Fixtures/** to the output), else in the source tree beside this file.
/// </summary>
internal static class FixtureFiles
{
    public static string PathOf(string name)
    {
        string copied = Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        if (File.Exists(copied)) return copied;
        string inSource = Path.Combine(SourceDirectory(), "Fixtures", name);
        if (File.Exists(inSource)) return inSource;
        throw new FileNotFoundException($"fixture '{name}' not found in {copied} or {inSource}; run Fixtures/make_fixtures.py");
    }

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    private static string SourceDirectory([CallerFilePath] string thisFile = "") => Path.GetDirectoryName(thisFile)!;
}

/// <summary>A fresh directory per test class instance, deleted afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sharpedge-io-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
