using Microsoft.Extensions.Options;

namespace Gateway.Application.Registration;

public sealed class RegisterInstanceCommandValidator(IOptions<RegistrationOptions> options, IGatewayAddress gatewayAddress)
    : IAdminCommandValidator<RegisterInstanceCommand>
{
    public (string Field, string Message)? Check(RegisterInstanceCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var registration = command.Registration;
        if (RegistrationRules.Check(registration) is { } problem)
        {
            return problem;
        }

        if (options.Value.AllowedNetworks.Refusal(registration.Host) is { } refusal)
        {
            return ("host", refusal);
        }

        if (gatewayAddress.IsGateway(registration.Host, registration.Port))
        {
            return ("host", $"{registration.Host}:{registration.Port} is the gateway's own address: every request would come back to it.");
        }

        return null;
    }
}
