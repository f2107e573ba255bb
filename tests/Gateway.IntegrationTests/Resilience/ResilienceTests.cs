using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Gateway.IntegrationTests.Support;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Gateway.IntegrationTests.Resilience;

/// <summary>When one of several instances dies or hangs, clients should not notice.</summary>
public sealed class ResilienceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private TestBackend _a = null!;
    private TestBackend _b = null!;

    public async Task InitializeAsync()
    {
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b");
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task InstanceKilledUnderLoad_NoClientRequestFails()
    {
        await using var gateway = new GatewayFactory().WithService("svc", _a, _b);
        var killedAt = long.MaxValue;
        var sent = 0;
        var failures = new ConcurrentQueue<string>();
        var answeredAfterKill = new ConcurrentDictionary<string, int>();
        var clients = Enumerable.Range(0, 16).Select(_ => gateway.CreateRawClient()).ToList();
        using var stop = new CancellationTokenSource();
        var load = clients.Select(client => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var startedAt = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref sent);
                try
                {
                    using var response = await client.GetAsync("/svc/work");
                    var backend = response.Headers.TryGetValues("X-Backend", out var names) ? names.Single() : "none";
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failures.Enqueue($"{(int)response.StatusCode} from {backend}");
                    }
                    else if (startedAt > Interlocked.Read(ref killedAt))
                    {
                        answeredAfterKill.AddOrUpdate(backend, 1, (_, n) => n + 1);
                    }
                }
                catch (HttpRequestException error)
                {
                    failures.Enqueue(error.Message);
                }
            }
        })).ToList();

        await Eventually.TrueAsync(() => Volatile.Read(ref sent) > 500, Deadline, "load is flowing");
        await _a.KillAsync();
        Interlocked.Exchange(ref killedAt, Stopwatch.GetTimestamp());
        // The load goes on until b has carried a good share of it alone, however long a busy machine takes for that.
        try
        {
            await Eventually.TrueAsync(() => answeredAfterKill.GetValueOrDefault("b") > 100, Deadline, "b to answer 100 requests after the kill");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(load);
        }

        var retried = RetriesIn(await clients[0].GetStringAsync("/metrics"));
        clients.ForEach(client => client.Dispose());

        output.WriteLine($"sent {sent}, failed {failures.Count}, retried {retried}, reached a before the kill {_a.Received.Count}, " +
            $"answered after the kill: {string.Join(", ", answeredAfterKill.Select(p => $"{p.Key}={p.Value}"))}");
        retried.ShouldBeGreaterThan(0, "requests cut off by the kill went to the other instance");
        failures.ShouldBeEmpty();
        answeredAfterKill.Keys.ShouldBe(["b"]);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    public async Task UnsafeMethodToADeadInstance_Gets502_AndIsNotReplayedElsewhere(string method)
    {
        await using var gateway = DeadThenLive();
        using var client = gateway.CreateRawClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/svc/orders")
        {
            Content = new StringContent("{\"order\":1}"),
        });

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        _b.Received.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task IdempotentMethodToADeadInstance_IsRetriedOnAnotherInstance(string method)
    {
        await using var gateway = DeadThenLive();
        using var client = gateway.CreateRawClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/svc/items/1"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("X-Backend").ShouldBe(["b"]);
        response.Headers.GetValues("X-Gateway-Instance").ShouldBe([$"127.0.0.1:{_b.Port}"], "the header names the instance that answered");
        _b.Received.ShouldHaveSingleItem().Method.ShouldBe(method);
    }

    [Fact]
    public async Task HangingInstance_Gives504WithinTheTimeout_WhileTheOtherKeepsAnswering()
    {
        var hanging = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _a.Handler = async context =>
        {
            hanging.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        };
        // Least connections: while the first request hangs on a, everything else goes to b.
        await using var gateway = new GatewayFactory().With("REQUEST_TIMEOUT", "2").WithService("svc", "least_connections", _a, _b);
        using var client = gateway.CreateRawClient();

        var stopwatch = Stopwatch.StartNew();
        var slow = client.GetAsync("/svc/slow");
        await hanging.Task.WaitAsync(Deadline);
        var others = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync("/svc/fast");
            others.Add(response.StatusCode);
        }

        using var timedOut = await slow;
        stopwatch.Stop();

        others.ShouldAllBe(status => status == HttpStatusCode.OK);
        timedOut.StatusCode.ShouldBe(HttpStatusCode.GatewayTimeout);
        timedOut.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        stopwatch.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9));
        stopwatch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        _a.Received.Count.ShouldBe(1, "a request that timed out is never retried");
        _b.Received.Count.ShouldBe(3);
    }

    [Fact]
    public async Task PerServiceTimeout_OverridesTheGatewayTimeout()
    {
        _a.Handler = context => Task.Delay(Timeout.Infinite, context.RequestAborted);
        await using var gateway = new GatewayFactory()
            .With("REQUEST_TIMEOUT", "60")
            .WithService("svc", _a)
            .With("Gateway:Services:svc:RequestTimeout", "0.5");
        using var client = gateway.CreateRawClient();

        var stopwatch = Stopwatch.StartNew();
        using var response = await client.GetAsync("/svc/slow");

        response.StatusCode.ShouldBe(HttpStatusCode.GatewayTimeout);
        stopwatch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Circuit_OpensAfterTheThreshold_AndClosesAfterTheBreakWhenTheTrialSucceeds()
    {
        var failing = true;
        _a.Handler = context =>
        {
            if (!Volatile.Read(ref failing))
            {
                return TestBackend.DefaultHandler(context);
            }

            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return Task.CompletedTask;
        };
        await using var gateway = new GatewayFactory()
            .WithService("svc", _a, _b)
            .With("Gateway:Resilience:FailureThreshold", "2")
            .With("Gateway:Resilience:BreakSeconds", "1")
            .With("Gateway:HealthChecks:PassiveFailureThreshold", "100");
        using var client = gateway.CreateRawClient();

        var beforeOpen = await client.AnswersAsync("/svc/work", 4);
        var whileOpen = await ServicesView.InstanceAsync(client, "svc", _a.Port);
        var duringBreak = await client.AnswersAsync("/svc/work", 4);
        Volatile.Write(ref failing, false);
        await Eventually.TrueAsync(
            async () => (await ServicesView.InstanceAsync(client, "svc", _a.Port)).GetProperty("circuit").GetString() == "half-open",
            Deadline);
        var afterBreak = await client.AnswersAsync("/svc/work", 4);
        var closed = await ServicesView.InstanceAsync(client, "svc", _a.Port);

        beforeOpen.ShouldBe(["500 a", "200 b", "500 a", "200 b"]);
        whileOpen.GetProperty("circuit").GetString().ShouldBe("open");
        whileOpen.GetProperty("available").GetBoolean().ShouldBeFalse();
        whileOpen.GetProperty("healthy").GetBoolean().ShouldBeTrue();
        whileOpen.GetProperty("ejectedBy").GetString().ShouldBe("circuit");
        whileOpen.GetProperty("ejectionCause").GetString().ShouldNotBeNull().ShouldContain("circuit breaker open");
        duringBreak.ShouldAllBe(answer => answer == "200 b");
        afterBreak.ShouldContain("200 a");
        closed.GetProperty("circuit").GetString().ShouldBe("closed");
        closed.GetProperty("available").GetBoolean().ShouldBeTrue();
        closed.GetProperty("ejectedBy").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Circuit_OpenOnAServicesOnlyInstance_LeavesItsAnswersPassingThrough()
    {
        _a.Handler = context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return Task.CompletedTask;
        };
        await using var gateway = new GatewayFactory()
            .WithService("svc", _a)
            .With("Gateway:Resilience:FailureThreshold", "2")
            .With("Gateway:Resilience:BreakSeconds", "60");
        using var client = gateway.CreateRawClient();

        var answers = await client.AnswersAsync("/svc/work", 6);
        var instance = await ServicesView.InstanceAsync(client, "svc", _a.Port);

        // Like passive ejection, an open circuit never turns a failing service into 503 for everything.
        answers.ShouldAllBe(answer => answer == "500 a");
        instance.GetProperty("circuit").GetString().ShouldBe("open");
        _a.Received.Count.ShouldBe(6);
    }

    private static long RetriesIn(string metrics)
    {
        var match = System.Text.RegularExpressions.Regex.Match(
            metrics, "^gateway_retries_total\\{service=\"svc\"\\} (\\S+)$", System.Text.RegularExpressions.RegexOptions.Multiline);
        return match.Success ? (long)double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>A service whose first instance is dead and whose second is b; round robin tries the dead one first.</summary>
    private GatewayFactory DeadThenLive() => new GatewayFactory()
        .WithServicePorts("svc", "round_robin", Ports.Dead(), _b.Port)
        // The start-up health check would otherwise take the dead instance out before the request is sent.
        .With("Gateway:HealthChecks:UnhealthyThreshold", "1000");

}
