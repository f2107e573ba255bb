namespace Gateway.Application.Registration;

/// <summary>How an admin command ended; the admin API maps each outcome to one status.</summary>
public enum AdminOutcome
{
    Ok,
    Created,
    Accepted,
    Removed,
    NotFound,
    Conflict,
    Invalid,
    StoreUnavailable,
}

/// <summary>The outcome of an admin command, the field at fault when the input was invalid, and what to answer.</summary>
public sealed record AdminResult(AdminOutcome Outcome, string? Message = null, string? Field = null, object? Value = null)
{
    public static AdminResult Invalid(string field, string message) => new(AdminOutcome.Invalid, message, field);

    public static AdminResult NotFound(string message) => new(AdminOutcome.NotFound, message);

    public static AdminResult Conflict(string message) => new(AdminOutcome.Conflict, message);
}
