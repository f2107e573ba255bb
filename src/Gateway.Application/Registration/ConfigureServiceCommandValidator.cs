namespace Gateway.Application.Registration;

public sealed class ConfigureServiceCommandValidator : IAdminCommandValidator<ConfigureServiceCommand>
{
    public (string Field, string Message)? Check(ConfigureServiceCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return RegistrationRules.Check(command.Settings);
    }
}
