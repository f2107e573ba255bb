namespace Gateway.Application.Forwarding;

/// <summary>Why a request cannot be sent as the client wrote it; the message is safe to show the client.</summary>
public sealed class UnforwardableRequestException(string message) : Exception(message);
