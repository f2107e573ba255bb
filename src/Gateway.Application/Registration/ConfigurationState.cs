namespace Gateway.Application.Registration;

/// <summary>Which configuration the gateway runs: its version (1 at start-up, one more per reload applied), when it was loaded, and why the latest change was not applied.</summary>
public sealed record ConfigurationStatus(int Version, DateTimeOffset LoadedAt, string? LastError);

/// <summary>The configuration's status, as <c>GET /services</c> shows it; written only by the reloader.</summary>
public sealed class ConfigurationState(TimeProvider time)
{
    private volatile ConfigurationStatus _current = new(1, time.GetUtcNow(), null);

    public ConfigurationStatus Current => _current;

    public ConfigurationStatus Applied() => _current = new(_current.Version + 1, time.GetUtcNow(), null);

    /// <summary>A change that was kept out: the running configuration stays, and says why.</summary>
    public ConfigurationStatus Refused(string error) => _current = _current with { LastError = error };
}
