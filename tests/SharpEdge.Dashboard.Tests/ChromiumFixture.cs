using SharpEdge.Dashboard.Browser;

namespace SharpEdge.Dashboard.Tests;

/// <summary>
/// One headless Chromium for the browser tests, or none when it is not installed (the tests then skip; CI
/// installs Debian's <c>chromium</c>). With <c>SHARPEDGE_SCREENSHOTS=DIR</c> the tests save their pages there
/// (docs/dashboard/ holds the ones in the docs).
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public HeadlessChromium? Browser { get; private set; }
    public string? Missing { get; private set; }
    public string? ScreenshotFolder { get; } = Environment.GetEnvironmentVariable("SHARPEDGE_SCREENSHOTS") is { Length: > 0 } d ? d : null;

    public async Task InitializeAsync()
    {
        if (HeadlessChromium.FindExecutable() is not { } executable)
        {
            Missing = "no chromium on PATH (apt-get install chromium, or set SHARPEDGE_CHROMIUM)";
            return;
        }
        Browser = await HeadlessChromium.LaunchAsync(executable);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
    }

    public async Task Screenshot(BrowserPage page, string name)
    {
        if (ScreenshotFolder is null) return;
        Directory.CreateDirectory(ScreenshotFolder);
        await File.WriteAllBytesAsync(Path.Combine(ScreenshotFolder, name + ".png"), await page.ScreenshotAsync());
    }
}
