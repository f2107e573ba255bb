using System.Diagnostics.CodeAnalysis;

namespace Gateway.Domain;

/// <summary>The rules a service name follows: it is the first segment of every proxied path.</summary>
public static class ServiceName
{
    /// <summary>First path segments the gateway keeps for its own endpoints.</summary>
    public static readonly IReadOnlySet<string> Reserved =
        new HashSet<string>(["services", "health", "metrics", "admin", "dashboard", "events"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The longest name: names are path segments, metric labels and log properties, and a registration through the
    /// admin API must not be able to make them arbitrarily large.
    /// </summary>
    public const int MaxLength = 100;

    public static StringComparer Comparer => StringComparer.OrdinalIgnoreCase;

    /// <summary>Checks a name; on failure <paramref name="error"/> says what is wrong with it.</summary>
    public static bool IsValid(string? name, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrEmpty(name))
        {
            error = "a service name must not be empty";
            return false;
        }

        if (name.Length > MaxLength)
        {
            error = $"'{name[..20]}...' is not a service name: it has {name.Length} characters, more than {MaxLength}";
            return false;
        }

        if (name is "." or "..")
        {
            error = $"'{name}' is not a service name: '.' and '..' are path navigation";
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                error = $"'{name}' is not a service name: only letters, digits, '-', '_' and '.' are allowed";
                return false;
            }
        }

        if (Reserved.Contains(name))
        {
            error = $"'{name}' is reserved for the gateway's own endpoints";
            return false;
        }

        error = null;
        return true;
    }

    public static void ThrowIfInvalid(string? name)
    {
        if (!IsValid(name, out var error))
        {
            throw new ArgumentException(char.ToUpperInvariant(error[0]) + error[1..] + ".", nameof(name));
        }
    }
}
