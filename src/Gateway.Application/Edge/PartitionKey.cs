namespace Gateway.Application.Edge;

/// <summary>A parsed <c>PartitionBy</c>: <c>client_ip</c>, <c>api_key</c>, <c>claim:&lt;name&gt;</c> or <c>header:&lt;name&gt;</c>.</summary>
/// <param name="Name">The claim or header name; null for the other kinds.</param>
public sealed record PartitionKey(PartitionKind Kind, string? Name)
{
    public static PartitionKey ClientIp { get; } = new(PartitionKind.ClientIp, null);

    public static bool TryParse(string? text, out PartitionKey key)
    {
        key = ClientIp;
        var value = text?.Trim();
        if (string.Equals(value, "client_ip", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.Equals(value, "api_key", StringComparison.OrdinalIgnoreCase))
        {
            key = new PartitionKey(PartitionKind.ApiKey, null);
            return true;
        }

        var colon = value?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon <= 0 || colon == value!.Length - 1)
        {
            return false;
        }

        var name = value[(colon + 1)..].Trim();
        switch (value[..colon].Trim().ToLowerInvariant())
        {
            case "claim" when name.Length > 0:
                key = new PartitionKey(PartitionKind.Claim, name);
                return true;
            case "header" when name.Length > 0:
                key = new PartitionKey(PartitionKind.Header, name);
                return true;
            default:
                return false;
        }
    }

    public override string ToString() => Kind switch
    {
        PartitionKind.ApiKey => "api_key",
        PartitionKind.Claim => $"claim:{Name}",
        PartitionKind.Header => $"header:{Name}",
        _ => "client_ip",
    };
}
