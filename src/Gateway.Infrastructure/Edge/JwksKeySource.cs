using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Infrastructure.Edge;

/// <summary>The signing keys of one service's tokens: read once from a JWKS file, or fetched from a JWKS URL.</summary>
/// <remarks>
/// Fetched keys are kept and fetched again only when a token names a key id they lack, as after the issuer rotated
/// its keys, and then at most once per <see cref="MinimumRefreshInterval"/>: tokens with made-up key ids must not
/// turn the gateway into a flood against the issuer. Requests that arrive during a fetch wait for that one fetch.
/// </remarks>
internal sealed partial class JwksKeySource
{
    public static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);

    private readonly Uri? _url;
    private readonly HttpClient? _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _refreshLock = new();
    private volatile KeySet _keys;
    private Task? _refresh;
    private long _lastAttempt;
    private bool _attempted;
    private int _fetches;

    public JwksKeySource(Uri url, HttpClient client, TimeProvider time, ILogger logger)
    {
        _url = url;
        _client = client;
        _time = time;
        _logger = logger;
        _keys = KeySet.Empty;
    }

    private JwksKeySource(IList<SecurityKey> keys, TimeProvider time, ILogger logger)
    {
        _time = time;
        _logger = logger;
        _keys = new KeySet(keys);
    }

    /// <summary>Keys as of now, for the token handler to check signatures with.</summary>
    public IList<SecurityKey> Current => _keys.Keys;

    /// <summary>Fetches made so far, refused or not.</summary>
    public int Fetches => Volatile.Read(ref _fetches);

    /// <summary>Keys read from a file that start-up validation has already checked.</summary>
    public static JwksKeySource FromFile(string path, TimeProvider time, ILogger logger) =>
        new(new JsonWebKeySet(File.ReadAllText(path)).GetSigningKeys(), time, logger);

    /// <summary>Makes sure the keys are fetched and, if allowed now, fetches them again when <paramref name="kid"/> is unknown.</summary>
    public Task EnsureKeyAsync(string? kid, CancellationToken cancellationToken)
    {
        var keys = _keys;
        if (_url is null || (kid is not null && keys.Has(kid)) || (kid is null && keys.Keys.Count > 0))
        {
            return Task.CompletedTask;
        }

        lock (_refreshLock)
        {
            if (_refresh is { IsCompleted: false } running)
            {
                return running.WaitAsync(cancellationToken);
            }

            var now = _time.GetTimestamp();
            if (_attempted && _time.GetElapsedTime(_lastAttempt, now) < MinimumRefreshInterval)
            {
                return Task.CompletedTask;
            }

            _attempted = true;
            _lastAttempt = now;
            _refresh = FetchAsync();
            return _refresh.WaitAsync(cancellationToken);
        }
    }

    private async Task FetchAsync()
    {
        Interlocked.Increment(ref _fetches);
        try
        {
            using var timeout = new CancellationTokenSource(FetchTimeout, _time);
            var json = await _client!.GetStringAsync(_url, timeout.Token);
            var keys = new JsonWebKeySet(json).GetSigningKeys();
            _keys = new KeySet(keys);
            LogFetched(_logger, _url!, keys.Count);
        }
        catch (Exception error) when (error is HttpRequestException or OperationCanceledException or ArgumentException or System.Text.Json.JsonException)
        {
            // The keys fetched before stay: an issuer that is down for a moment must not take every token with it.
            LogFetchFailed(_logger, _url!, error.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched {KeyCount} signing keys from {JwksUrl}")]
    private static partial void LogFetched(ILogger logger, Uri jwksUrl, int keyCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch signing keys from {JwksUrl}: {Cause}")]
    private static partial void LogFetchFailed(ILogger logger, Uri jwksUrl, string cause);

    private sealed class KeySet(IList<SecurityKey> keys)
    {
        private readonly HashSet<string> _ids = keys.Select(key => key.KeyId).OfType<string>().ToHashSet(StringComparer.Ordinal);

        public static KeySet Empty { get; } = new([]);

        public IList<SecurityKey> Keys { get; } = keys;

        public bool Has(string kid) => _ids.Contains(kid);
    }
}
