using System.Text.Json;

namespace Gateway.Application.Edge;

/// <summary>Reads a service's <c>Auth</c> and <c>RateLimit</c> objects with the rules the registry is loaded with.</summary>
public interface IEdgeSettingsReader
{
    /// <returns>The settings (null when neither object is given), or the first problem, naming its field
    /// (<c>auth.jwksUrl</c>).</returns>
    EdgeSettingsRead Read(JsonElement? auth, JsonElement? rateLimit);
}

/// <summary>What <see cref="IEdgeSettingsReader"/> made of a service's objects.</summary>
public readonly record struct EdgeSettingsRead(EdgeSettings? Settings, (string Field, string Message)? Problem);
