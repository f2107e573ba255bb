namespace Gateway.Application.Shaping;

/// <summary>The response header that ties a client to the instance that answered it.</summary>
/// <param name="Appended">Added beside the instance's own values (<c>Set-Cookie</c>) rather than replacing them.</param>
public readonly record struct AffinityMark(string Header, string Value, bool Appended);
