using Gateway.Domain;

namespace Gateway.Application.Registration;

/// <summary>An operator takes an instance out of rotation, for <paramref name="Minutes"/> (0: until restored).</summary>
/// <param name="By">Who asks: the fingerprint of the admin key, never the key.</param>
public sealed record OverrideInstanceCommand(string Service, string InstanceId, double Minutes, string? Reason, string By)
    : IAdminCommand<InstanceOverride>
{
    /// <summary>A week: longer than that, an override is a configuration change and belongs in the registry.</summary>
    public const double MaxMinutes = 7 * 24 * 60;

    public const int MaxReasonLength = 500;
}

/// <summary>An operator puts an overridden instance back in rotation.</summary>
public sealed record RestoreInstanceCommand(string Service, string InstanceId, string By) : IAdminCommand<MediatR.Unit>;

public sealed class OverrideInstanceCommandValidator : IAdminCommandValidator<OverrideInstanceCommand>
{
    public (string Field, string Message)? Check(OverrideInstanceCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!double.IsFinite(command.Minutes) || command.Minutes < 0 || command.Minutes > OverrideInstanceCommand.MaxMinutes)
        {
            return ("minutes", $"must be from 0 (until restored) to {OverrideInstanceCommand.MaxMinutes:0}");
        }

        if (string.IsNullOrWhiteSpace(command.Reason))
        {
            return ("reason", "is required: it is what the next operator reads");
        }

        return command.Reason.Length > OverrideInstanceCommand.MaxReasonLength
            ? ("reason", $"is longer than {OverrideInstanceCommand.MaxReasonLength} characters")
            : null;
    }
}
