using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SampleService;

/// <summary>The command line of the sample service: where it listens and what it calls itself.</summary>
internal sealed record SampleServiceArguments(string Host, int Port, string Name)
{
    public const string DefaultHost = "0.0.0.0";
    public const int DefaultPort = 8001;

    public const string Usage = """
        Usage: dotnet run --project samples/SampleService -- [--port <port>] [--host <address>] [--name <name>]

          --port <port>     port to listen on, 0 picks a free one (default 8001)
          --host <address>  address to bind (default 0.0.0.0)
          --name <name>     instance name in responses and the X-Instance header (default sample-<port>)

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
                default:
                    error = $"Unknown argument '{arg}'.";
                    return false;
            }
        }

        result = new SampleServiceArguments(host, port, name ?? $"sample-{port}");
        error = null;
        return true;
    }

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
