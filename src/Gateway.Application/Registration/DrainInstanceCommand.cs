namespace Gateway.Application.Registration;

/// <summary>Stops new requests to an instance at once, and removes it once those in flight have finished.</summary>
public sealed record DrainInstanceCommand(string Service, string InstanceId) : IAdminCommand<DrainingInstance>;
