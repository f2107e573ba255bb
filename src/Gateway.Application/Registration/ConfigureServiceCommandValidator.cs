using Gateway.Application.Edge;

namespace Gateway.Application.Registration;

public sealed class ConfigureServiceCommandValidator(IEdgeSettingsReader edge) : IAdminCommandValidator<ConfigureServiceCommand>
{
    public (string Field, string Message)? Check(ConfigureServiceCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return RegistrationRules.Check(command.Settings) ?? edge.Read(command.Settings.Auth, command.Settings.RateLimit).Problem;
    }
}
