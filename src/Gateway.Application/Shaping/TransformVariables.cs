using System.Collections.Frozen;
using System.Diagnostics;

namespace Gateway.Application.Shaping;

/// <summary>The variables a transform's value may use, as <c>{Name}</c>.</summary>
public static class TransformVariables
{
    /// <summary>Each variable and how it is read; a new variable is one more line here.</summary>
    private static readonly KeyValuePair<string, Func<TransformContext, string?>>[] Variables =
    [
        new("ClientIp", static context => context.ClientIp()),
        // The trace id, which the client also receives as X-Trace-Id and every log line of the request carries.
        new("RequestId", static _ => Activity.Current is { IdFormat: ActivityIdFormat.W3C } span ? span.TraceId.ToHexString() : null),
        new("Service", static context => context.Request.Service.Name),
        new("Instance", static context => context.Request.Instance.Id),
        // Empty for an instance that names no version: a header set to it then carries an empty value.
        new("Version", static context => context.Request.Instance.Version ?? string.Empty),
    ];

    private static readonly FrozenDictionary<string, Func<TransformContext, string?>> ByName =
        Variables.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The names, as a problem lists them: <c>{ClientIp}, {RequestId}, ... or {Version}</c>.</summary>
    public static string Expected { get; } =
        string.Join(", ", Variables[..^1].Select(variable => $"{{{variable.Key}}}")) + $" or {{{Variables[^1].Key}}}";

    internal static Func<TransformContext, string?>? Find(string name) => ByName.GetValueOrDefault(name);
}
