namespace Gateway.Application.Registration;

/// <summary>How run-time registrations behave.</summary>
public sealed class RegistrationOptions
{
    public const string SectionPath = "Gateway:Registration";

    /// <summary>How long a drained instance may keep requests in flight before it is removed anyway.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Where instances registered through the admin API may be.</summary>
    public AllowedNetworks AllowedNetworks { get; set; } = AllowedNetworks.Any;
}
