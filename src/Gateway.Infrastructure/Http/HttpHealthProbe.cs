using System.Net;
using System.Runtime.CompilerServices;
using Gateway.Application.Health;
using Gateway.Domain;
using Microsoft.Extensions.Options;

namespace Gateway.Infrastructure.Http;

/// <summary>Requests an instance's health-check path: a 2xx answer within the probe timeout is healthy.</summary>
/// <remarks>
/// A large registry is probed thousands of times a round, so a probe costs one request on a pooled connection and
/// little more: no client, linked token source or URI is built per probe.
/// </remarks>
internal sealed class HttpHealthProbe : IHealthProbe, IDisposable
{
    public const string ClientName = "Gateway.HealthProbe";

    private readonly HttpMessageInvoker _invoker;
    private readonly IOptions<HealthCheckOptions> _options;
    private readonly TimeProvider _timeProvider;

    // Keyed by the instance, whose lifetime the registry decides, so that an instance removed from it takes its URI
    // with it; the path is kept alongside because a service's health-check path can change while its instances stay.
    private readonly ConditionalWeakTable<Instance, HealthUri> _uris = [];

    public HttpHealthProbe(IHttpMessageHandlerFactory handlers, IOptions<HealthCheckOptions> options, TimeProvider timeProvider)
    {
        // The client's handler never expires (its lifetime is infinite), so holding it is what the factory would do;
        // an HttpClient per probe would add two token sources of its own to every probe. The factory owns the handler.
        _invoker = new HttpMessageInvoker(handlers.CreateHandler(ClientName), disposeHandler: false);
        _options = options;
        _timeProvider = timeProvider;
    }

    public async Task<HealthCheckResult> ProbeAsync(Service service, Instance instance, CancellationToken cancellationToken)
    {
        var timeout = _options.Value.Timeout;
        var at = _timeProvider.GetUtcNow();
        var started = _timeProvider.GetTimestamp();
        using var deadline = new CancellationTokenSource(timeout, _timeProvider);
        try
        {
            // One token for both ends of a probe, so that the send needs no linked source: shutdown cancels it too.
            using var shutdown = cancellationToken.UnsafeRegister(Cancel, deadline);
            using var request = new HttpRequestMessage(HttpMethod.Get, HealthUriOf(service, instance));
            if (instance.IsH2c)
            {
                // An h2c instance may not speak HTTP/1.1 at all; probed with it, it would be taken out of rotation.
                request.Version = HttpVersion.Version20;
                request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            }

            // Headers are enough to judge; the body is not read, so a large or endless one cannot hold the probe.
            using var response = await _invoker.SendAsync(request, deadline.Token);
            var status = (int)response.StatusCode;
            var healthy = status is >= 200 and <= 299;
            return new HealthCheckResult(at, healthy, _timeProvider.GetElapsedTime(started), healthy ? null : $"answered {status}");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(at, false, _timeProvider.GetElapsedTime(started), $"no answer within {timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException error)
        {
            return new HealthCheckResult(at, false, _timeProvider.GetElapsedTime(started), error.Message);
        }
    }

    public void Dispose() => _invoker.Dispose();

    /// <summary>The probe client's connection pool, which keeps each instance's connection from one round to the next.</summary>
    /// <remarks>
    /// A probe on a pooled connection costs a fraction of one that connects (a TCP handshake, a socket, fresh buffers,
    /// and a close), so an idle connection must outlive the time between two probes of its instance: an interval, plus
    /// up to another one when a round runs late. The pool's default idle timeout of a minute would close every
    /// connection between rounds at longer intervals.
    /// </remarks>
    internal static SocketsHttpHandler CreateHandler(HealthCheckOptions options) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionIdleTimeout = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(1).Ticks, 2 * options.Interval.Ticks)),
        // Renewed now and then so that DNS changes of an instance's host are seen.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    private static void Cancel(object? source) => ((CancellationTokenSource)source!).Cancel();

    private Uri HealthUriOf(Service service, Instance instance)
    {
        var path = service.HealthCheckPath;
        if (!_uris.TryGetValue(instance, out var cached) || !string.Equals(cached.Path, path, StringComparison.Ordinal))
        {
            cached = new HealthUri(path, new Uri(instance.Origin + path));
            _uris.AddOrUpdate(instance, cached);
        }

        return cached.Uri;
    }

    private sealed record HealthUri(string Path, Uri Uri);
}
