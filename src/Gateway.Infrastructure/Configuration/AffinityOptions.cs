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

    public byte[] Key { get; set; } = RandomNumberGenerator.GetBytes(32);

    public static void Bind(AffinityOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = new SettingsReader(configuration);
        if (settings.Text(KeyName) is { } key)
        {
            if (key.Length < MinimumKeyLength)
            {
                // A secret: the error names the key and its length, never the value.
                settings.Fail($"{KeyName}: a key of {key.Length} characters is too short (at least {MinimumKeyLength})");
            }

            options.Key = Encoding.UTF8.GetBytes(key);
        }

        settings.RecordOn(options);
    }
}
