using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SampleService;

/// <summary>
/// The command line of the sample service: where it listens, what it calls itself, and, with <c>--register</c>,
/// which gateway it registers with.
/// </summary>
internal sealed record SampleServiceArguments(string Host, int Port, string Name, RegistrationArguments? Registration = null)
{
    public const string DefaultHost = "0.0.0.0";
    public const int DefaultPort = 8001;

    public const string Usage = """
        Usage: dotnet run --project samples/SampleService -- [--port <port>] [--host <address>] [--name <name>]
                 [--register <gateway url> --admin-key <key> [--service <name>] [--advertise-host <host>] [--ttl <seconds>]]

          --port <port>            port to listen on, 0 picks a free one (default 8001)
          --host <address>         address to bind (default 0.0.0.0)
          --name <name>            instance name in responses and the X-Instance header (default sample-<port>)

          --register <url>         register with this gateway once listening, e.g. http://127.0.0.1:8080;
                                   heartbeat while running, deregister on shutdown
          --admin-key <key>        the gateway's GATEWAY_ADMIN_KEY (required with --register)
          --service <name>         service to register as (default: --name without its -<number> suffix,
                                   user-service-1 -> user-service; required when --name has no such suffix)
          --advertise-host <host>  host the gateway should call; the port is the one actually bound (default 127.0.0.1)
          --ttl <seconds>          lease length from 1 to 86400, renewed every third of it (default 15)

        Both "--port 8001" and "--port=8001" are accepted.
        """;

    public string Url
    {
        get
        {
            // An IPv6 literal needs brackets, or its colons would read as the port separator.
            var host = Host.Contains(':', StringComparison.Ordinal) && !Host.StartsWith('[') ? $"[{Host}]" : Host;
            return $"http://{host}:{Port}";
        }
    }

    public static bool IsHelpRequested(IEnumerable<string> args) => args.Any(arg => arg is "--help" or "-h" or "-?");

    public static bool TryParse(
        IReadOnlyList<string> args,
        [NotNullWhen(true)] out SampleServiceArguments? result,
        [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);

        var host = DefaultHost;
        var port = DefaultPort;
        string? name = null;
        Uri? gateway = null;
        string? adminKey = null;
        string? service = null;
        string? advertiseHost = null;
        int? ttl = null;
        result = null;

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var (flag, value) = SplitFlag(args, ref i);
            switch (flag)
            {
                case "--port":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
                    {
                        error = $"--port needs a number from 0 to 65535, got {Describe(value)}.";
                        return false;
                    }

                    break;
                case "--host":
                    if (string.IsNullOrWhiteSpace(value))
                    {
                        error = "--host needs an address, e.g. 0.0.0.0 or 127.0.0.1.";
                        return false;
                    }

                    host = value;
                    break;
                case "--name":
                    // The name becomes a response header value, and Kestrel refuses non-ASCII or control characters there.
                    if (string.IsNullOrWhiteSpace(value) || !value.All(c => c is >= ' ' and <= '~'))
                    {
                        error = $"--name needs a non-empty printable ASCII name, got {Describe(value)}.";
                        return false;
                    }

                    name = value;
                    break;
                case "--register":
                    if (!Uri.TryCreate(value, UriKind.Absolute, out gateway)
                        || gateway.Scheme is not ("http" or "https")
                        || gateway.Query.Length > 0
                        || gateway.Fragment.Length > 0
                        || gateway.UserInfo.Length > 0)
                    {
                        error = $"--register needs the gateway's http:// or https:// URL, e.g. http://127.0.0.1:8080, got {Describe(value)}.";
                        return false;
                    }

                    break;
                case "--admin-key":
                    // It goes into the Authorization header, where Kestrel refuses non-ASCII or control characters.
                    if (value is null || value.Length < RegistrationArguments.MinAdminKeyLength || !value.All(c => c is > ' ' and <= '~'))
                    {
                        error = $"--admin-key needs the gateway's GATEWAY_ADMIN_KEY: at least {RegistrationArguments.MinAdminKeyLength} printable ASCII characters without spaces"
                            + (value is null ? ", got nothing." : $", got {value.Length} characters.");
                        return false;
                    }

                    adminKey = value;
                    break;
                case "--service":
                    if (!IsServiceName(value))
                    {
                        error = $"--service needs a service name of letters, digits, '-', '_' and '.', got {Describe(value)}.";
                        return false;
                    }

                    service = value;
                    break;
                case "--advertise-host":
                    if (!IsHostName(value))
                    {
                        error = $"--advertise-host needs a host name or address the gateway can call, e.g. 127.0.0.1, got {Describe(value)}.";
                        return false;
                    }

                    advertiseHost = value;
                    break;
                case "--ttl":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                        || seconds is < 1 or > RegistrationArguments.MaxTtlSeconds)
                    {
                        error = $"--ttl needs a number of seconds from 1 to {RegistrationArguments.MaxTtlSeconds}, got {Describe(value)}.";
                        return false;
                    }

                    ttl = seconds;
                    break;
                default:
                    error = $"Unknown argument '{arg}'.";
                    return false;
            }
        }

        RegistrationArguments? registration = null;
        if (gateway is null)
        {
            if (adminKey is not null || service is not null || advertiseHost is not null || ttl is not null)
            {
                error = "--admin-key, --service, --advertise-host and --ttl only apply with --register <gateway url>.";
                return false;
            }
        }
        else
        {
            if (adminKey is null)
            {
                error = "--register needs --admin-key <key>, the gateway's GATEWAY_ADMIN_KEY.";
                return false;
            }

            service ??= ServiceFromName(name);
            if (service is null)
            {
                error = name is null
                    ? "--register needs --service <name>, or a --name such as user-service-1 to take it from."
                    : $"--register needs --service <name>: none can be taken from --name '{name}' (a name such as user-service-1 gives user-service).";
                return false;
            }

            // A path keeps its last segment only if it ends with '/', and a gateway may sit under a path behind a proxy.
            var baseUrl = gateway.AbsoluteUri.EndsWith('/') ? gateway : new Uri(gateway.AbsoluteUri + "/");
            registration = new RegistrationArguments(
                baseUrl,
                adminKey,
                service,
                advertiseHost ?? RegistrationArguments.DefaultAdvertiseHost,
                ttl ?? RegistrationArguments.DefaultTtlSeconds);
        }

        result = new SampleServiceArguments(host, port, name ?? $"sample-{port}", registration);
        error = null;
        return true;
    }

    /// <summary>
    /// The service an instance name belongs to: <c>user-service-1</c> is an instance of <c>user-service</c>. Null when
    /// the name is not the service's name, a '-' and a number, so that a guess never registers an unexpected service.
    /// The default name (<c>sample-&lt;port&gt;</c>) is never used: it names a port, not a service.
    /// </summary>
    private static string? ServiceFromName(string? name)
    {
        var dash = name?.LastIndexOf('-') ?? -1;
        if (dash <= 0 || dash == name!.Length - 1 || name.AsSpan(dash + 1).ContainsAnyExceptInRange('0', '9'))
        {
            return null;
        }

        var service = name[..dash];
        return IsServiceName(service) ? service : null;
    }

    /// <summary>The gateway's rule for a service name, the first segment of every proxied path.</summary>
    private static bool IsServiceName(string? value) =>
        !string.IsNullOrEmpty(value)
        && value is not ("." or "..")
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>The gateway's rule for an instance's host: a DNS name, an IPv4 address or an IPv6 address.</summary>
    private static bool IsHostName(string? value) =>
        !string.IsNullOrWhiteSpace(value)
        && !value.Any(c => char.IsWhiteSpace(c) || c is '/' or '?' or '#' or '@')
        && Uri.CheckHostName(value.Trim('[', ']')) != UriHostNameType.Unknown;

    private static string Describe(string? value) => value is null ? "nothing" : $"'{value}'";

    private static (string Flag, string? Value) SplitFlag(IReadOnlyList<string> args, ref int index)
    {
        var arg = args[index];
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 2)
        {
            return (arg[..equals], arg[(equals + 1)..]);
        }

        // A following flag is not a value: "--host --port 1" should complain about --host, not bind to "--port".
        if (index + 1 < args.Count && !args[index + 1].StartsWith("--", StringComparison.Ordinal))
        {
            index++;
            return (arg, args[index]);
        }

        return (arg, null);
    }
}
