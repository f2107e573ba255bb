namespace Gateway.Application.Registration;

/// <summary>The registration store could not be reached, so a change could not be made.</summary>
public sealed class RegistrationStoreUnavailableException : Exception
{
    public RegistrationStoreUnavailableException()
    {
    }

    public RegistrationStoreUnavailableException(string message)
        : base(message)
    {
    }

    public RegistrationStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
