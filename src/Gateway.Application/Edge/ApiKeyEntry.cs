namespace Gateway.Application.Edge;

/// <summary>One accepted API key, known only by its name and the SHA-256 of its value.</summary>
/// <param name="Name">What logs, metrics and the instance (<c>X-Api-Key-Name</c>) see instead of the key.</param>
/// <param name="Sha256">The 32 bytes of the key's SHA-256.</param>
public sealed record ApiKeyEntry(string Name, byte[] Sha256);
