using Gateway.Application.Edge;
using Gateway.Application.Shaping;
using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Gateway.Domain.Traffic;
using Microsoft.Extensions.Configuration;

namespace Gateway.Infrastructure.Configuration;

/// <summary>
/// Reads the service registry in the contract's format: keys case-insensitive, in PascalCase or in the original
/// gateway's snake_case (<c>load_balancer</c>, <c>health_check_path</c>), so a registry written for it loads unchanged.
/// </summary>
/// <remarks>
/// Every problem is reported with the path the user wrote (<c>user-service.Instances[0].Port</c>) and the value, and
/// unknown keys are refused rather than ignored: a misspelt <c>Instnaces</c> would otherwise leave a service empty.
/// </remarks>
internal static class RegistryConfigurationLoader
{
    // Fields the original gateway kept at run time; accepted so its files load, but health comes from checks.
    private static readonly string[] IgnoredServiceKeys = ["currentindex"];
    private static readonly string[] IgnoredInstanceKeys = ["health"];

    public static void Bind(RegistryOptions options, IConfiguration configuration)
    {
        var settings = new SettingsReader(configuration);
        var edge = new Dictionary<string, EdgeSettings>(ServiceName.Comparer);
        var shaping = new Dictionary<string, ShapingSettings>(ServiceName.Comparer);
        options.Services = Load(configuration, settings, edge, shaping);
        options.Edge = edge;
        options.Shaping = shaping;
        settings.RecordOn(options);
    }

    private static List<ServiceDefinition> Load(
        IConfiguration configuration, SettingsReader settings, Dictionary<string, EdgeSettings> edge, Dictionary<string, ShapingSettings> shaping)
    {
        var file = settings.Text(RegistryOptions.FileKey);
        if (file is null)
        {
            return ReadServices(configuration.GetSection(RegistryOptions.SectionPath), settings, edge, shaping);
        }

        if (!File.Exists(file))
        {
            settings.Fail(RegistryOptions.FileKey, file, "does not exist");
            return [];
        }

        IConfiguration registry;
        try
        {
            registry = new ConfigurationBuilder()
                .Add<IndexedJsonConfigurationSource>(source =>
                {
                    source.Path = Path.GetFullPath(file);
                    source.ResolveFileProvider();
                })
                .Build();
        }
        catch (Exception error) when (error is FormatException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            settings.Fail(RegistryOptions.FileKey, file, $"is not a readable JSON object: {JsonFileError.Describe(error)}");
            return [];
        }

        return ReadServices(registry, settings, edge, shaping);
    }

    private static List<ServiceDefinition> ReadServices(
        IConfiguration services, SettingsReader settings, Dictionary<string, EdgeSettings> edge, Dictionary<string, ShapingSettings> shaping)
    {
        var definitions = new List<ServiceDefinition>();
        foreach (var section in services.GetChildren())
        {
            if (ReadService(section, settings, edge, shaping) is { } definition)
            {
                definitions.Add(definition);
            }
        }

        return definitions;
    }

    private static ServiceDefinition? ReadService(
        IConfigurationSection section, SettingsReader settings, Dictionary<string, EdgeSettings> edge, Dictionary<string, ShapingSettings> shaping)
    {
        var name = section.Key;
        var errorsBefore = settings.Errors.Count;
        if (!ServiceName.IsValid(name, out var nameError))
        {
            settings.Fail($"{name}: {nameError}");
        }

        var loadBalancer = LoadBalancerNames.RoundRobin;
        var healthCheckPath = InstanceRules.DefaultHealthCheckPath;
        int? unhealthyThreshold = null;
        int? healthyThreshold = null;
        TimeSpan? requestTimeout = null;
        TimeSpan? streamIdleTimeout = null;
        EdgeSettings? auth = null;
        RateLimitSettings? rateLimit = null;
        AffinitySettings? affinity = null;
        ServiceTransforms? transforms = null;
        VersionRouting? versioning = null;
        TrafficSplit? split = null;
        var instances = new List<InstanceDefinition>();
        foreach (var field in section.GetChildren())
        {
            var path = $"{name}.{field.Key}";
            switch (Normalize(field.Key))
            {
                case "loadbalancer":
                    if (!LoadBalancerNames.TryParse(field.Value, out var canonical))
                    {
                        settings.Fail(path, field.Value, $"is not a load balancer: expected one of {string.Join(", ", LoadBalancerNames.All)}");
                    }

                    loadBalancer = canonical ?? loadBalancer;
                    break;
                case "healthcheckpath":
                    if (!InstanceRules.IsHealthCheckPath(field.Value))
                    {
                        settings.Fail(path, field.Value, InstanceRules.HealthCheckPathProblem);
                    }
                    else
                    {
                        healthCheckPath = field.Value;
                    }

                    break;
                case "instances":
                    ReadInstances(field, path, instances, settings);
                    break;
                case "unhealthythreshold":
                    unhealthyThreshold = (int?)settings.ParseWholeNumber(path, field.Value, 1, 1000);
                    break;
                case "healthythreshold":
                    healthyThreshold = (int?)settings.ParseWholeNumber(path, field.Value, 1, 1000);
                    break;
                case "requesttimeout":
                    requestTimeout = settings.ParseSeconds(path, field.Value);
                    break;
                case "streamidletimeout":
                    streamIdleTimeout = settings.ParseSeconds(path, field.Value);
                    break;
                case "auth":
                    auth = EdgeSettingsReader.ReadAuth(field, path, settings);
                    break;
                case "ratelimit":
                    rateLimit = EdgeSettingsReader.ReadRateLimit(field, path, settings);
                    break;
                case "affinity":
                    affinity = ShapingSettingsReader.ReadAffinity(field, path, settings);
                    break;
                case "transforms":
                    transforms = ShapingSettingsReader.ReadTransforms(field, path, settings);
                    break;
                case "versioning":
                    versioning = TrafficSettingsReader.ReadVersioning(field, path, settings);
                    break;
                case "split":
                    split = TrafficSettingsReader.ReadSplit(field, path, settings);
                    break;
                case var key when IgnoredServiceKeys.Contains(key):
                    break;
                default:
                    settings.Fail($"{path}: unknown setting (expected LoadBalancer, HealthCheckPath, Instances, UnhealthyThreshold, HealthyThreshold, RequestTimeout, StreamIdleTimeout, Auth, RateLimit, Versioning, Split, Affinity or Transforms)");
                    break;
            }
        }

        var policies = EdgeSettingsReader.Combine(auth, rateLimit, $"{name}.RateLimit", settings);
        var shaped = ShapingSettingsReader.Combine(affinity, transforms, policies, name, settings);
        if (settings.Errors.Count == errorsBefore)
        {
            if (policies is not null)
            {
                edge[name] = policies;
            }

            if (shaped is not null)
            {
                shaping[name] = shaped;
            }
        }

        return settings.Errors.Count == errorsBefore
            ? new ServiceDefinition(name, loadBalancer, healthCheckPath, instances, unhealthyThreshold, healthyThreshold, requestTimeout, streamIdleTimeout)
            {
                Versioning = versioning,
                Split = split,
            }
            : null;
    }

    private static void ReadInstances(IConfigurationSection section, string path, List<InstanceDefinition> instances, SettingsReader settings)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in section.GetChildren().OrderBy(child => int.TryParse(child.Key, out var i) ? i : int.MaxValue))
        {
            var itemPath = $"{path}[{item.Key}]";
            if (ReadInstance(item, itemPath, settings) is not { } instance)
            {
                continue;
            }

            if (!seen.Add($"{instance.Host}:{instance.Port}"))
            {
                settings.Fail(itemPath, $"{instance.Host}:{instance.Port}", "appears twice in the service: each host and port may appear once");
                continue;
            }

            instances.Add(instance);
        }
    }

    private static InstanceDefinition? ReadInstance(IConfigurationSection section, string path, SettingsReader settings)
    {
        var errorsBefore = settings.Errors.Count;
        string? host = null;
        int? port = null;
        var portGiven = false;
        var weight = 1;
        var scheme = "http";
        string? version = null;
        Dictionary<string, string>? metadata = null;
        foreach (var field in section.GetChildren())
        {
            var fieldPath = $"{path}.{field.Key}";
            switch (Normalize(field.Key))
            {
                case "host":
                    host = field.Value?.Trim();
                    if (!InstanceRules.IsHost(host))
                    {
                        settings.Fail(fieldPath, field.Value, InstanceRules.HostProblem);
                    }

                    break;
                case "port":
                    portGiven = true;
                    port = (int?)settings.ParseWholeNumber(fieldPath, field.Value, InstanceRules.MinPort, InstanceRules.MaxPort);
                    break;
                case "weight":
                    weight = (int?)settings.ParseWholeNumber(fieldPath, field.Value, InstanceRules.MinWeight, int.MaxValue) ?? weight;
                    break;
                case "scheme":
                    scheme = field.Value?.Trim().ToLowerInvariant() ?? "";
                    if (!InstanceRules.IsScheme(scheme))
                    {
                        settings.Fail(fieldPath, field.Value, InstanceRules.SchemeProblem);
                    }

                    break;
                case "version":
                    version = TrafficSettingsReader.ReadVersion(field, fieldPath, settings);
                    break;
                case "metadata":
                    metadata = TrafficSettingsReader.ReadMetadata(field, fieldPath, settings);
                    break;
                case var key when IgnoredInstanceKeys.Contains(key):
                    break;
                default:
                    settings.Fail($"{fieldPath}: unknown setting (expected Host, Port, Weight, Scheme, Version or Metadata)");
                    break;
            }
        }

        if (host is null)
        {
            settings.Fail($"{path}.Host: missing");
        }

        if (!portGiven)
        {
            settings.Fail($"{path}.Port: missing");
        }

        return settings.Errors.Count == errorsBefore
            ? new InstanceDefinition(host!, port!.Value, weight, scheme) { Version = version, Metadata = metadata }
            : null;
    }

    /// <summary><c>load_balancer</c>, <c>LoadBalancer</c> and <c>loadBalancer</c> all name the same key.</summary>
    private static string Normalize(string key) => key.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
}
