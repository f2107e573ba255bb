namespace Gateway.Application.Forwarding;

/// <summary>What the gateway knows of the client connection.</summary>
/// <param name="Address">The client's IP address, if known.</param>
/// <param name="Scheme">The scheme the client used to reach the gateway (http or https).</param>
/// <param name="Host">The Host the client asked for.</param>
public sealed record ClientInfo(string? Address, string Scheme, string? Host);
