namespace Gateway.Application.Registration;

/// <summary>Checks an admin command's input before its handler runs.</summary>
public interface IAdminCommandValidator<in TCommand>
{
    /// <summary>The first problem with the command, as the field at fault and a message; null when it is valid.</summary>
    (string Field, string Message)? Check(TCommand command);
}
