using System.Net.Http.Json;
using System.Text.Json;
using Gateway.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gateway.IntegrationTests.Dashboard;

/// <summary>The dashboard in a real browser: what an operator sees, and what the page does when they act.</summary>
public sealed class DashboardBrowserTests(Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private const string Key = "dashboard-tests-admin-key-0123456789";

    /// <summary>Generous: the page polls every second, and a loaded 2-core machine runs the browser slowly.</summary>
    private static readonly LocatorAssertionsToHaveAttributeOptions Eventually = new() { Timeout = 30_000 };

    private static readonly LocatorAssertionsToBeVisibleOptions Shown = new() { Timeout = 30_000 };

    private readonly List<string> _consoleErrors = [];
    private TestBackend _a = null!;
    private TestBackend _b = null!;
    private TestBackend _c = null!;
    private GatewayFactory? _gateway;
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b");
        _c = await TestBackend.StartAsync("c");
        _context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1400, Height = 800 } });
        _page = await _context.NewPageAsync();
        _page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _consoleErrors.Add(message.Text);
            }
        };
        _page.PageError += (_, error) => _consoleErrors.Add(error);
    }

    public async Task DisposeAsync()
    {
        // The page first: its event stream would otherwise hold the gateway's shutdown.
        await _context.DisposeAsync();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _c.DisposeAsync();
    }

    [Fact]
    public async Task Page_ListsTheServices_AndShowsAStoppedBackendUnhealthyWithoutAReload()
    {
        var gateway = Start(new GatewayFactory()
            .WithService("orders", _a, _b)
            .WithService("users", "least_connections", _c)
            .With("HEALTH_CHECK_INTERVAL", "1"));
        using var client = gateway.CreateRawClient();
        (await client.AnsweredByAsync("/orders/x", 6)).ShouldContain("a");

        await _page.GotoAsync(new Uri(gateway.BaseAddress, "/dashboard").ToString());

        var users = Row("users");
        await Expect(Row("orders")).ToBeVisibleAsync(Shown);
        await Expect(users).ToBeVisibleAsync(Shown);
        await Expect(users).ToContainTextAsync("least_connections");
        var instance = users.Locator($"[data-instance='127.0.0.1:{_c.Port}']");
        await Expect(instance).ToHaveAttributeAsync("data-state", "healthy", Eventually);

        await _c.KillAsync();

        await Expect(instance).ToHaveAttributeAsync("data-state", "unhealthy", Eventually);
        // A service nothing can serve comes first, and its ejection is on the timeline with its cause.
        await Expect(_page.Locator("#rows tr").First).ToHaveAttributeAsync("data-service", "users", Eventually);
        await Expect(_page.Locator("#events li[data-kind='ejected']").First).ToContainTextAsync($"users / 127.0.0.1:{_c.Port}");
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath("dashboard-unhealthy.png"), FullPage = true });
        _consoleErrors.ShouldBeEmpty();
    }

    [Fact]
    public async Task Override_MadeInThePageWithTheKey_ShowsInThePageAndInServices_ThenExpires()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var gateway = Start(new GatewayFactory()
            .WithService("orders", _a, _b)
            .With("GATEWAY_ADMIN_KEY", Key)
            .WithServices(services => services.AddSingleton<TimeProvider>(clock)));
        using var client = gateway.CreateRawClient();
        var id = $"127.0.0.1:{_a.Port}";
        await _page.GotoAsync(new Uri(gateway.BaseAddress, "/dashboard").ToString());
        var instance = Row("orders").Locator($"[data-instance='{id}']");
        await Expect(instance).ToHaveAttributeAsync("data-state", "healthy", Eventually);

        await _page.FillAsync("#admin-key", Key);
        await _page.ClickAsync("#key-form button[type=submit]");
        await instance.ClickAsync();
        await _page.FillAsync("#minutes", "5");
        await _page.FillAsync("#reason", "kernel upgrade");
        await _page.ClickAsync("#take-out");

        await Expect(instance).ToHaveAttributeAsync("data-state", "out", Eventually);
        await Expect(instance).ToContainTextAsync("kernel upgrade");
        await Expect(_page.Locator("#message")).ToContainTextAsync("taken out");
        var shown = (await ServicesView.InstanceAsync(client, "orders", _a.Port)).GetProperty("override");
        shown.GetProperty("reason").GetString().ShouldBe("kernel upgrade");
        shown.GetProperty("until").GetDateTimeOffset().ShouldBe(clock.GetUtcNow().AddMinutes(5));
        (await _page.EvaluateAsync<string>("sessionStorage.getItem('msa-gateway-admin-key')")).ShouldBe(Key);
        (await _page.EvaluateAsync<int>("localStorage.length")).ShouldBe(0);
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath("dashboard-override.png"), FullPage = true });

        clock.Advance(TimeSpan.FromMinutes(5));

        await Expect(instance).ToHaveAttributeAsync("data-state", "healthy", Eventually);
        await Expect(_page.Locator("#events li[data-kind='override_ended']").First).ToBeVisibleAsync(Shown);
        (await ServicesView.InstanceAsync(client, "orders", _a.Port)).GetProperty("override").ValueKind.ShouldBe(JsonValueKind.Null);
        _consoleErrors.ShouldBeEmpty();
    }

    [Fact]
    public async Task Restore_InThePage_EndsAnOverrideUntilRestored_AndAWrongKeyIsShownAsAnError()
    {
        var gateway = Start(new GatewayFactory()
            .WithService("orders", _a, _b)
            .With("GATEWAY_ADMIN_KEY", Key));
        using var client = gateway.CreateRawClient();
        var id = $"127.0.0.1:{_b.Port}";
        using var admin = new HttpRequestMessage(HttpMethod.Post, $"/admin/services/orders/instances/{id}/override")
        {
            Content = JsonContent.Create(new { @out = true, minutes = 0, reason = "suspect disk" }),
        };
        admin.Headers.Authorization = new("Bearer", Key);
        using var set = await client.SendAsync(admin);
        set.EnsureSuccessStatusCode();
        await _page.GotoAsync(new Uri(gateway.BaseAddress, "/dashboard").ToString());
        var instance = Row("orders").Locator($"[data-instance='{id}']");
        await Expect(instance).ToHaveAttributeAsync("data-state", "out", Eventually);
        await Expect(instance).ToContainTextAsync("until restored");

        await _page.FillAsync("#admin-key", "not-the-key-of-this-gateway");
        await _page.ClickAsync("#key-form button[type=submit]");
        await instance.ClickAsync();
        await _page.ClickAsync("#restore");

        await Expect(_page.Locator("#message.error")).ToContainTextAsync("401");
        await Expect(instance).ToHaveAttributeAsync("data-state", "out");

        await _page.FillAsync("#admin-key", Key);
        await _page.ClickAsync("#key-form button[type=submit]");
        await _page.ClickAsync("#restore");

        await Expect(instance).ToHaveAttributeAsync("data-state", "healthy", Eventually);
        (await ServicesView.InstanceAsync(client, "orders", _b.Port)).GetProperty("override").ValueKind.ShouldBe(JsonValueKind.Null);
        // The browser reports the refused call itself; nothing else may have gone wrong.
        _consoleErrors.ShouldAllBe(error => error.Contains("401"));
    }

    [Fact]
    public async Task Page_WithTwoThousandServices_DrawsAHundredRows_AndTheFilterFindsAnyOfThem()
    {
        var gateway = new GatewayFactory();
        for (var i = 0; i < 2000; i++)
        {
            gateway.WithService($"svc-{i:D4}", _a);
        }

        Start(gateway);
        await _page.GotoAsync(new Uri(gateway.BaseAddress, "/dashboard").ToString());

        await Expect(_page.Locator("#more")).ToContainTextAsync("Showing 100 of 2000 services", new() { Timeout = 30_000 });
        await Expect(_page.Locator("#rows tr")).ToHaveCountAsync(100);

        await _page.FillAsync("#filter", "svc-1999");

        await Expect(_page.Locator("#rows tr")).ToHaveCountAsync(1);
        await Expect(Row("svc-1999")).ToBeVisibleAsync(Shown);
        await Expect(_page.Locator("#more")).ToBeHiddenAsync();
        _consoleErrors.ShouldBeEmpty();
    }

    private GatewayFactory Start(GatewayFactory gateway) => _gateway = gateway;

    private ILocator Row(string service) => _page.Locator($"#rows tr[data-service='{service}']");

    private static string ScreenshotPath(string name) => Path.Combine(AppContext.BaseDirectory, "screenshots", name);
}
