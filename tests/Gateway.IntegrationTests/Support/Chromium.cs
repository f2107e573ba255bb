using Microsoft.Playwright;

namespace Gateway.IntegrationTests.Support;

/// <summary>
/// One headless Debian chromium for a test class, driven by Playwright. The browser is the system's (.ci/run installs
/// the package): Playwright's own browser download needs a network the tests do not have.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // A loaded machine may take a while to start a browser; the default is 3 minutes already, but say so.
            Timeout = 120_000,
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
