namespace Gateway.Application.Registration;

/// <summary>An instance whose drain has begun, by its registered names.</summary>
public sealed record DrainingInstance(string Service, string InstanceId);
