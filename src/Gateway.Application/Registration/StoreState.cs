namespace Gateway.Application.Registration;

/// <summary>How the registration store is doing, as <c>GET /</c> and <c>GET /services</c> report it.</summary>
/// <param name="Kind"><c>memory</c> or <c>etcd</c>.</param>
/// <param name="Connected">False while the store cannot be reached; the gateway then routes with what it last saw.</param>
/// <param name="Since">When <paramref name="Connected"/> last changed.</param>
/// <param name="LastError">Why it cannot be reached, while it cannot.</param>
public sealed record StoreState(string Kind, bool Connected, DateTimeOffset? Since, string? LastError);
