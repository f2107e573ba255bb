using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Gateway.IntegrationTests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.IntegrationTests.Health;

/// <summary>
/// Active checks on the gateway's own schedule, driven by a fake clock, and passive ejection, against real backends.
/// </summary>
public sealed class HealthCheckingTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private TestBackend _a = null!;
    private TestBackend _b = null!;
    private volatile bool _aHealthy = true;
    private volatile bool _aHangs;

    public async Task InitializeAsync()
    {
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b");
        _a.ProbeHandler = async context =>
        {
            if (_aHangs)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }

            context.Response.StatusCode = _aHealthy ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError;
        };
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task InstanceFailingItsCheck_GetsNoTrafficAfterTheNextRound_AndReturnsWhenItPasses()
    {
        await using var gateway = Gateway();
        using var client = gateway.CreateRawClient();
        await Eventually.TrueAsync(() => ServicesView.HasBeenCheckedAsync(client, "svc", _a.Port), Deadline, "first round at start-up");

        _aHealthy = false;
        _clock.Advance(Interval);
        await Eventually.TrueAsync(async () => !await ServicesView.IsHealthyAsync(client, "svc", _a.Port), Deadline);
        var whileOut = await client.AnsweredByAsync("/svc/who", 4);

        _aHealthy = true;
        _clock.Advance(Interval);
        await Eventually.TrueAsync(() => ServicesView.IsHealthyAsync(client, "svc", _a.Port), Deadline);
        var afterReturn = await client.AnsweredByAsync("/svc/who", 4);

        whileOut.ShouldBe(["b", "b", "b", "b"]);
        afterReturn.ShouldContain("a");
        afterReturn.ShouldContain("b");
    }

    [Fact]
    public async Task ProbesOfManyRounds_ReuseTheInstancesPooledConnection()
    {
        var connections = new ConcurrentQueue<string>();
        _b.ProbeHandler = context =>
        {
            connections.Enqueue(context.Connection.Id);
            // A body the probe does not read: the connection must still go back to the pool.
            return context.Response.WriteAsJsonAsync(new { status = "healthy" });
        };
        await using var gateway = Gateway();
        using var client = gateway.CreateRawClient();
        await Eventually.TrueAsync(() => ServicesView.HasBeenCheckedAsync(client, "svc", _b.Port), Deadline, "first round at start-up");

        const int rounds = 10;
        for (var round = 1; round < rounds; round++)
        {
            _clock.Advance(Interval);
            await Eventually.TrueAsync(() => CheckedAtAsync(client, _b.Port, _clock.GetUtcNow()), Deadline, $"round {round + 1}");
        }

        connections.Count.ShouldBe(rounds);
        // One connection normally; a second only if a round began while the previous answer was still being drained.
        connections.Distinct().Count().ShouldBeLessThanOrEqualTo(2);
    }

    [Fact]
    public async Task UnhealthyInstance_ShowsWhyAndSinceWhenInServices()
    {
        await using var gateway = Gateway();
        using var client = gateway.CreateRawClient();
        await Eventually.TrueAsync(() => ServicesView.HasBeenCheckedAsync(client, "svc", _a.Port), Deadline);

        _aHealthy = false;
        _clock.Advance(Interval);
        await Eventually.TrueAsync(async () => !await ServicesView.IsHealthyAsync(client, "svc", _a.Port), Deadline);
        var instance = await ServicesView.InstanceAsync(client, "svc", _a.Port);

        instance.GetProperty("ejectedBy").GetString().ShouldBe("active");
        instance.GetProperty("ejectionCause").GetString().ShouldBe("answered 500");
        instance.GetProperty("healthChangedAt").GetDateTimeOffset().ShouldBe(_clock.GetUtcNow());
        var lastCheck = instance.GetProperty("lastCheck");
        lastCheck.GetProperty("healthy").GetBoolean().ShouldBeFalse();
        lastCheck.GetProperty("error").GetString().ShouldBe("answered 500");
        lastCheck.GetProperty("at").GetDateTimeOffset().ShouldBe(_clock.GetUtcNow());
    }

    [Fact]
    public async Task HangingHealthEndpoint_IsUnhealthyAfterTheProbeTimeout_WithoutHoldingUpOtherProbes()
    {
        _aHangs = true;
        await using var gateway = Gateway();
        using var client = gateway.CreateRawClient();

        await Eventually.TrueAsync(() => ServicesView.HasBeenCheckedAsync(client, "svc", _b.Port), Deadline);
        var aCheckedBeforeTimeout = await ServicesView.HasBeenCheckedAsync(client, "svc", _a.Port);
        _clock.Advance(TimeSpan.FromSeconds(5));
        await Eventually.TrueAsync(async () => !await ServicesView.IsHealthyAsync(client, "svc", _a.Port), Deadline);
        var a = await ServicesView.InstanceAsync(client, "svc", _a.Port);
        var answeredBy = await client.AnsweredByAsync("/svc/who", 3);

        aCheckedBeforeTimeout.ShouldBeFalse();
        a.GetProperty("lastCheck").GetProperty("error").GetString().ShouldBe("no answer within 5 s");
        answeredBy.ShouldBe(["b", "b", "b"]);
    }

    [Fact]
    public async Task InstanceRefusingConnections_IsTakenOutByTheNextRound_WithTheCause()
    {
        await using var gateway = Gateway();
        using var client = gateway.CreateRawClient();
        await Eventually.TrueAsync(() => ServicesView.HasBeenCheckedAsync(client, "svc", _a.Port), Deadline);

        await _a.DisposeAsync();
        _clock.Advance(Interval);
        await Eventually.TrueAsync(async () => !await ServicesView.IsHealthyAsync(client, "svc", _a.Port), Deadline);

        var a = await ServicesView.InstanceAsync(client, "svc", _a.Port);
        a.GetProperty("ejectedBy").GetString().ShouldBe("active");
        a.GetProperty("ejectionCause").GetString().ShouldNotBeNull().ShouldContain("refused");
        (await client.AnsweredByAsync("/svc/who", 3)).ShouldBe(["b", "b", "b"]);
    }

    [Fact]
    public async Task KilledInstance_IsEjectedPassively_BeforeTheNextRound()
    {
        await using var gateway = Gateway()
            .With("Gateway:HealthChecks:PassiveFailureThreshold", "3")
            .With("Gateway:Resilience:FailureThreshold", "100");
        using var client = gateway.CreateRawClient();
        await Eventually.TrueAsync(() => ServicesView.HasBeenCheckedAsync(client, "svc", _a.Port), Deadline);

        await _a.DisposeAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync("/svc/work");
            statuses.Add(response.StatusCode);
        }

        var a = await ServicesView.InstanceAsync(client, "svc", _a.Port);
        a.GetProperty("healthy").GetBoolean().ShouldBeFalse();
        a.GetProperty("ejectedBy").GetString().ShouldBe("passive");
        a.GetProperty("consecutivePassiveFailures").GetInt32().ShouldBe(3);
        // Each failed GET was retried on the live instance, so the client saw none of the three failures.
        statuses.ShouldAllBe(status => status == HttpStatusCode.OK);
    }

    [Fact]
    public async Task LastAvailableInstance_IsNotEjectedPassively()
    {
        await using var gateway = new GatewayFactory()
            .WithService("solo", _b)
            .With("Gateway:HealthChecks:PassiveFailureThreshold", "2")
            .With("Gateway:Resilience:FailureThreshold", "100")
            .WithServices(services => services.AddSingleton<TimeProvider>(_clock));
        using var client = gateway.CreateRawClient();
        // Its health check passes; only the proxied requests fail.
        _b.Handler = context =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        };

        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync("/solo/x");
            response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            response.Headers.Contains("X-Gateway-Instance").ShouldBeTrue();
        }

        var b = await ServicesView.InstanceAsync(client, "solo", _b.Port);
        b.GetProperty("available").GetBoolean().ShouldBeTrue();
        b.GetProperty("consecutivePassiveFailures").GetInt32().ShouldBe(5);
    }

    private GatewayFactory Gateway() => new GatewayFactory()
        .WithService("svc", _a, _b)
        .With("HEALTH_CHECK_INTERVAL", Interval.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .WithServices(services => services.AddSingleton<TimeProvider>(_clock));

    private static async Task<bool> CheckedAtAsync(HttpClient client, int port, DateTimeOffset at) =>
        (await ServicesView.InstanceAsync(client, "svc", port)).TryGetProperty("lastCheck", out var lastCheck)
        && lastCheck.ValueKind == JsonValueKind.Object
        && lastCheck.GetProperty("at").GetDateTimeOffset() == at;

}
