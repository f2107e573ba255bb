using Gateway.Application.Health;
using Gateway.Domain;
using Microsoft.Extensions.Options;

namespace Gateway.Infrastructure.Http;

/// <summary>Requests an instance's health-check path: a 2xx answer within the probe timeout is healthy.</summary>
internal sealed class HttpHealthProbe(
    IHttpClientFactory clientFactory,
    IOptions<HealthCheckOptions> options,
    TimeProvider timeProvider) : IHealthProbe
{
    public const string ClientName = "Gateway.HealthProbe";

    public async Task<HealthCheckResult> ProbeAsync(Service service, Instance instance, CancellationToken cancellationToken)
    {
        var timeout = options.Value.Timeout;
        var at = timeProvider.GetUtcNow();
        var started = timeProvider.GetTimestamp();
        using var deadline = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(instance.Origin + service.HealthCheckPath));
        try
        {
            // Headers are enough to judge; the body is not read, so a large or endless one cannot hold the probe.
            using var response = await clientFactory.CreateClient(ClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var status = (int)response.StatusCode;
            var healthy = status is >= 200 and <= 299;
            return new HealthCheckResult(at, healthy, timeProvider.GetElapsedTime(started), healthy ? null : $"answered {status}");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(at, false, timeProvider.GetElapsedTime(started), $"no answer within {timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException error)
        {
            return new HealthCheckResult(at, false, timeProvider.GetElapsedTime(started), error.Message);
        }
    }
}
