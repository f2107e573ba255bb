using Gateway.Application.Registration;

namespace Gateway.Application.Traffic;

/// <summary>Sets how a service's requests that name no version are shared across its versions, on every replica.</summary>
/// <param name="Weights">Each version's weight; null when the body had none.</param>
public sealed record SetSplitCommand(string Service, IReadOnlyDictionary<string, int>? Weights) : IAdminCommand<ServiceSplit>;
