namespace Gateway.Application.Edge;

/// <summary><c>Auth.Type: api_key</c>: the header that carries the key, and the keys accepted.</summary>
public sealed record ApiKeySettings(string Header, IReadOnlyList<ApiKeyEntry> Keys)
{
    public const string DefaultHeader = "X-Api-Key";
}
