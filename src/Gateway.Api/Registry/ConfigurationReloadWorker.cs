using System.Text.Json;
using Gateway.Api.Hosting;
using Gateway.Application.Edge;
using Gateway.Application.Operations;
using Gateway.Application.Registration;
using Gateway.Application.Shaping;
using Gateway.Infrastructure.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Registry;

/// <summary>
/// Applies edits of <c>GATEWAY_REGISTRY_FILE</c> and <c>appsettings.json</c> to the running registry, and keeps a bad
/// edit out, with one line that says where the mistake is.
/// </summary>
/// <remarks>
/// The files are polled (twice a second, a stat each) rather than watched: file-system events miss the symbolic-link
/// swap by which Kubernetes updates a mounted ConfigMap, and do not reach a container over some mounts. A change is
/// applied once the file has stayed the same for one poll, so a file caught half-written is not reported as broken.
/// Instances that stay keep their health, circuits, in-flight counts and rotation (the registry carries them over);
/// removed ones finish the requests they have.
/// </remarks>
public sealed partial class ConfigurationReloadWorker(
    IConfiguration configuration,
    IHostEnvironment environment,
    StaticServices statics,
    RegistryComposer composer,
    ShapingPolicies shaping,
    EdgeSettingsComposer edge,
    ConfigurationState state,
    EventTimeline timeline,
    IOptionsFactory<RegistryOptions> registry,
    TimeProvider time,
    ILogger<ConfigurationReloadWorker> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private static readonly JsonDocumentOptions AppSettingsSyntax = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Read at start-up only: a change to them is reported, not applied.</summary>
    private static readonly string[] StartupOnlySettings = [GatewayServerOptions.HostKey, GatewayServerOptions.PortKey];

    /// <summary>The start-up-only settings as the server uses them, and as last reported changed.</summary>
    private readonly Dictionary<string, string?> _running = StartupOnlySettings.ToDictionary(key => key, key => configuration[key]);
    private readonly Dictionary<string, string?> _reported = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var files = WatchedFiles().ToDictionary(file => file, Stamp.Of);
        Dictionary<string, Stamp>? pending = null;
        using var timer = new PeriodicTimer(PollInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = files.Keys.ToDictionary(file => file, Stamp.Of);
                if (now.All(file => file.Value == files[file.Key]))
                {
                    pending = null;
                    continue;
                }

                // Changed since the last applied state: wait until one poll sees it unchanged.
                if (pending is null || now.Any(file => file.Value != pending[file.Key]))
                {
                    pending = now;
                    continue;
                }

                var changed = files.Keys.Where(file => now[file] != files[file]).ToList();
                files = now;
                pending = null;
                Reload(changed);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private IEnumerable<string> WatchedFiles()
    {
        if (configuration[RegistryOptions.FileKey] is { Length: > 0 } registryFile)
        {
            yield return Path.GetFullPath(registryFile);
        }

        yield return Path.Combine(environment.ContentRootPath, "appsettings.json");
        yield return Path.Combine(environment.ContentRootPath, $"appsettings.{environment.EnvironmentName}.json");
    }

    private void Reload(List<string> changed)
    {
        var registryFile = configuration[RegistryOptions.FileKey] is { Length: > 0 } path ? Path.GetFullPath(path) : null;
        var settingsChanged = changed.Where(file => file != registryFile).ToList();
        foreach (var file in settingsChanged.Where(File.Exists))
        {
            // The host's configuration would take a malformed file as empty; it is checked before anything reloads.
            if (SyntaxError(file) is { } syntax)
            {
                Refuse($"{file}: {syntax}");
                return;
            }
        }

        if (settingsChanged.Count > 0)
        {
            // The host may have reloaded the file already, or not yet: reloading here makes the next reads certain.
            (configuration as IConfigurationRoot)?.Reload();
            ReportStartupOnlyChanges();
        }

        if (RegistryConfiguration.TryLoad(registry, out var error) is not { } loaded)
        {
            Refuse(error!);
            return;
        }

        var services = loaded.Services;
        statics.Replace(services);
        // Before the registry: a service the configuration adds is routed only once its policies are in force.
        edge.Configure(loaded.Edge);
        composer.Recompose();
        shaping.Replace(loaded.Shaping);
        var status = state.Applied();
        var files = string.Join(", ", changed);
        LogApplied(logger, status.Version, files, services.Count);
        timeline.Record(GatewayEventKinds.ConfigApplied, null, null, $"version {status.Version} from {files}");
    }

    private void ReportStartupOnlyChanges()
    {
        foreach (var (key, running) in _running)
        {
            var configured = configuration[key];
            if (configured != running && (!_reported.TryGetValue(key, out var reported) || reported != configured))
            {
                _reported[key] = configured;
                LogStartupOnly(logger, key, running, configured);
            }
        }
    }

    private void Refuse(string error)
    {
        var status = state.Refused(error);
        LogRefused(logger, status.Version, error);
        timeline.Record(GatewayEventKinds.ConfigRefused, null, null, error);
    }

    private static string? SyntaxError(string file)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file), AppSettingsSyntax);
            return document.RootElement.ValueKind == JsonValueKind.Object ? null : "line 1, column 1: not a JSON object";
        }
        catch (JsonException malformed)
        {
            return JsonFileError.Describe(malformed);
        }
        catch (IOException unreadable)
        {
            return unreadable.Message;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration version {Version} applied after a change to {Files}: {Services} configured services")]
    private static partial void LogApplied(ILogger logger, int version, string files, int services);

    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration change not applied, version {Version} keeps running: {Error}")]
    private static partial void LogRefused(ILogger logger, int version, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Key} changed from '{Old}' to '{New}': it cannot change at run time, so it takes effect at the next start")]
    private static partial void LogStartupOnly(ILogger logger, string key, string? old, string? @new);

    /// <summary>What a poll sees of a file: enough to notice an edit, a replacement or a removal without reading it.</summary>
    private readonly record struct Stamp(bool Exists, DateTime LastWrite, long Length)
    {
        public static Stamp Of(string file)
        {
            var info = new FileInfo(file);
            return info.Exists ? new(true, info.LastWriteTimeUtc, info.Length) : default;
        }
    }
}
