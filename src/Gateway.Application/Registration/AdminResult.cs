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

/// <summary>
/// The outcome of an admin command: what it produced when it succeeded, otherwise why not and, for invalid input,
/// the field at fault. The admin API decides how each looks on the wire.
/// </summary>
public sealed record AdminResult<TValue>(AdminOutcome Outcome, TValue? Value = default, string? Message = null, string? Field = null)
{
    public static implicit operator AdminResult<TValue>(AdminFailure failure) =>
        new(failure.Outcome, default, failure.Message, failure.Field);
}

/// <summary>An admin command that did not succeed, whatever it would have produced.</summary>
public readonly record struct AdminFailure(AdminOutcome Outcome, string Message, string? Field = null);

/// <summary>The failures an admin command ends with, converted to the command's own result type.</summary>
public static class AdminResult
{
    public static AdminFailure Invalid(string field, string message) => new(AdminOutcome.Invalid, message, field);

    public static AdminFailure NotFound(string message) => new(AdminOutcome.NotFound, message);

    public static AdminFailure Conflict(string message) => new(AdminOutcome.Conflict, message);

    public static AdminFailure StoreUnavailable(string message) => new(AdminOutcome.StoreUnavailable, message);
}
