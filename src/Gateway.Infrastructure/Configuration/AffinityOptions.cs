using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace Gateway.Infrastructure.Configuration;

/// <summary><c>GATEWAY_AFFINITY_KEY</c>: the key session affinity values are hashed with.</summary>
/// <remarks>
/// Replicas behind one load balancer must share it, or a client tied to an instance by one replica would be tied
/// afresh by the next. Unset, each process draws its own, and its values end with it.
/// </remarks>
public sealed class AffinityOptions
{
    public const string KeyName = "GATEWAY_AFFINITY_KEY";

    /// <summary>Shorter keys are too easy to guess, and a guessed key lets anyone forge a value.</summary>
    public const int MinimumKeyLength = 16;

    private readonly byte[] _drawn = RandomNumberGenerator.GetBytes(32);

    /// <summary>The key as configured; null when none is, and the process uses one of its own.</summary>
    public string? Key { get; set; }

    /// <summary>The bytes values are hashed with: the configured key's, or the process's own.</summary>
    public byte[] HashKey => Key is { } key ? Encoding.UTF8.GetBytes(key) : _drawn;

    public static void Bind(AffinityOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Key = new SettingsReader(configuration).Text(KeyName);
    }
}
