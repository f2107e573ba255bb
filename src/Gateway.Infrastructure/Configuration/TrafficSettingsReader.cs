using System.Globalization;
using Gateway.Domain.Traffic;
using Microsoft.Extensions.Configuration;

namespace Gateway.Infrastructure.Configuration;

/// <summary>Reads the registry's version keys: an instance's <c>Version</c> and <c>Metadata</c>, a service's <c>Versioning</c> and <c>Split</c>.</summary>
internal static class TrafficSettingsReader
{
    public static string? ReadVersion(IConfigurationSection field, string path, SettingsReader settings)
    {
        var version = field.Value?.Trim();
        if (!TrafficSplit.IsVersionName(version))
        {
            settings.Fail(path, field.Value, $"is not a version: letters, digits, '.', '-' or '_', at most {TrafficSplit.MaxVersionLength}");
            return null;
        }

        return version;
    }

    public static Dictionary<string, string>? ReadMetadata(IConfigurationSection section, string path, SettingsReader settings)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in section.GetChildren())
        {
            if (InstanceMetadata.Check(entry.Key, entry.Value) is { } problem)
            {
                settings.Fail($"{path}.{entry.Key}: {problem}");
                continue;
            }

            metadata[entry.Key] = entry.Value!;
        }

        if (metadata.Count > InstanceMetadata.MaxEntries)
        {
            settings.Fail($"{path}: {metadata.Count} entries, more than {InstanceMetadata.MaxEntries}");
            return null;
        }

        return metadata;
    }

    public static VersionRouting? ReadVersioning(IConfigurationSection section, string path, SettingsReader settings)
    {
        var errorsBefore = settings.Errors.Count;
        var header = VersionRouting.DefaultHeader;
        string? query = null;
        var pathSegment = false;
        string? defaultVersion = null;
        foreach (var field in section.GetChildren())
        {
            var fieldPath = $"{path}.{field.Key}";
            switch (Normalize(field.Key))
            {
                case "header":
                    // An empty value turns the header off, for a service that names versions by path alone.
                    header = field.Value?.Trim() is { Length: > 0 } name ? name : null;
                    if (header is not null && !header.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)))
                    {
                        settings.Fail(fieldPath, field.Value, "is not a header name");
                    }

                    break;
                case "query":
                    query = field.Value?.Trim() is { Length: > 0 } parameter ? parameter : null;
                    break;
                case "pathsegment":
                    if (!bool.TryParse(field.Value?.Trim(), out pathSegment))
                    {
                        settings.Fail(fieldPath, field.Value, "is not true or false");
                    }

                    break;
                case "default":
                    defaultVersion = ReadVersion(field, fieldPath, settings);
                    break;
                default:
                    settings.Fail($"{fieldPath}: unknown setting (expected Header, Query, PathSegment or Default)");
                    break;
            }
        }

        return settings.Errors.Count == errorsBefore ? new VersionRouting(header, query, pathSegment, defaultVersion) : null;
    }

    public static TrafficSplit? ReadSplit(IConfigurationSection section, string path, SettingsReader settings)
    {
        var errorsBefore = settings.Errors.Count;
        Dictionary<string, int>? weights = null;
        StickyKey? stickyBy = null;
        foreach (var field in section.GetChildren())
        {
            var fieldPath = $"{path}.{field.Key}";
            switch (Normalize(field.Key))
            {
                case "weights":
                    weights = ReadWeights(field, fieldPath, settings);
                    break;
                case "stickyby":
                    if (!StickyKey.TryParse(field.Value, out stickyBy))
                    {
                        settings.Fail(fieldPath, field.Value, "is not a sticky key: expected header:<name>, cookie:<name>, claim:<name> or client_ip");
                    }

                    break;
                default:
                    settings.Fail($"{fieldPath}: unknown setting (expected Weights or StickyBy)");
                    break;
            }
        }

        if (weights is null && settings.Errors.Count == errorsBefore)
        {
            settings.Fail($"{path}.Weights: missing");
        }

        return settings.Errors.Count == errorsBefore ? TrafficSplit.Create(weights!, stickyBy) : null;
    }

    private static Dictionary<string, int>? ReadWeights(IConfigurationSection section, string path, SettingsReader settings)
    {
        var errorsBefore = settings.Errors.Count;
        var weights = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in section.GetChildren())
        {
            if (!int.TryParse(entry.Value?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var weight))
            {
                settings.Fail($"{path}.{entry.Key}", entry.Value, "is not a whole number");
                continue;
            }

            if (!weights.TryAdd(entry.Key, weight))
            {
                settings.Fail($"{path}.{entry.Key}", entry.Value, "names a version twice (versions compare case-insensitively)");
            }
        }

        if (settings.Errors.Count == errorsBefore && TrafficSplit.Check(weights) is { } problem)
        {
            // The rule is the admin API's too; its field is relative to "weights", this key to the registry.
            settings.Fail($"{path}{problem.Field["weights".Length..]}: {problem.Message}");
        }

        return settings.Errors.Count == errorsBefore ? weights : null;
    }

    private static string Normalize(string key) => key.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
}
