using Gateway.Application.Registration;
using Gateway.Domain;
using Microsoft.Extensions.Logging;

namespace Gateway.Application.Edge;

/// <summary>
/// Puts in force the edge policies of the configured services, and those the admin API set for registered ones.
/// </summary>
/// <remarks>
/// <para>
/// As for the load balancer, a configured service's settings come from the configuration only: the admin API refuses
/// to set them, and settings another replica stored for a service this one has configured are passed over.
/// </para>
/// <para>
/// A snapshot costs the services it changed; settings are read again only when their text changed, so registrations
/// and heartbeats leave the policies, their buckets and their signing keys as they are.
/// </para>
/// <para>
/// Settings that cannot be put in force on this replica (a <c>JwksFile</c> it lacks) close the service rather than
/// leave it open: every request gets a 401 until they are corrected.
/// </para>
/// </remarks>
public sealed partial class EdgeSettingsComposer(
    EdgePolicies policies, StaticServices statics, IEdgeSettingsReader reader, ILogger<EdgeSettingsComposer> logger)
{
    private static readonly EdgeSettings Closed = new(new ApiKeySettings(ApiKeySettings.DefaultHeader, []), null, false, null);

    private readonly Lock _applyLock = new();
    private readonly Dictionary<string, Registered> _registered = new(ServiceName.Comparer);
    private IReadOnlyDictionary<string, EdgeSettings> _configured = new Dictionary<string, EdgeSettings>();

    /// <summary>After the configuration was loaded or reloaded: its services' settings, in place of the previous ones.</summary>
    public void Configure(IReadOnlyDictionary<string, EdgeSettings> configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        lock (_applyLock)
        {
            _configured = configured;
            Publish();
        }
    }

    /// <summary>The store's latest snapshot: the settings of the services it changed, or of all of them.</summary>
    public void Apply(RegistrySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_applyLock)
        {
            var changed = false;
            if (snapshot.Changed is { } names)
            {
                foreach (var name in names)
                {
                    changed |= Update(name, snapshot.Settings.GetValueOrDefault(name));
                }
            }
            else
            {
                foreach (var name in _registered.Keys.Where(name => !snapshot.Settings.ContainsKey(name)).ToList())
                {
                    changed |= _registered.Remove(name);
                }

                foreach (var (name, settings) in snapshot.Settings)
                {
                    changed |= Update(name, settings);
                }
            }

            if (changed)
            {
                Publish();
            }
        }
    }

    private bool Update(string service, ServiceSettings? settings)
    {
        if (settings is not { HasEdgePolicies: true })
        {
            return _registered.Remove(service);
        }

        var text = $"{settings.Auth?.GetRawText()}\n{settings.RateLimit?.GetRawText()}";
        if (_registered.TryGetValue(service, out var known) && known.Text == text)
        {
            return false;
        }

        var read = reader.Read(settings.Auth, settings.RateLimit);
        if (read.Problem is { } problem)
        {
            // The field alone: the value may be part of a secret, and logs travel further than the store.
            LogClosed(logger, service, problem.Field);
            _registered[service] = new(text, Closed);
            return true;
        }

        if (read.Settings is null)
        {
            return _registered.Remove(service);
        }

        _registered[service] = new(text, read.Settings);
        return true;
    }

    private void Publish()
    {
        var all = new Dictionary<string, EdgeSettings>(_configured, ServiceName.Comparer);
        foreach (var (service, registered) in _registered)
        {
            if (!statics.Contains(service))
            {
                all[service] = registered.Settings;
            }
        }

        policies.Replace(all);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Edge policies stored for {Service} cannot be put in force here ({Field} is not valid on this replica); its requests are refused until they are corrected")]
    private static partial void LogClosed(ILogger logger, string service, string field);

    private sealed record Registered(string Text, EdgeSettings Settings);
}
