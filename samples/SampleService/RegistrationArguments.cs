using System.Globalization;
using System.Text;

namespace SampleService;

/// <summary>How the sample registers itself with a gateway's admin API (<c>--register</c> and its companions).</summary>
/// <param name="Gateway">The gateway's base URL, ending with <c>/</c>.</param>
/// <param name="AdminKey">The gateway's <c>GATEWAY_ADMIN_KEY</c>.</param>
/// <param name="Service">The service to register as.</param>
/// <param name="AdvertiseHost">The host the gateway should call; the port is the one Kestrel actually bound.</param>
/// <param name="TtlSeconds">The lease: the gateway forgets the instance after this long without a heartbeat.</param>
internal sealed record RegistrationArguments(Uri Gateway, string AdminKey, string Service, string AdvertiseHost, int TtlSeconds)
{
    public const string DefaultAdvertiseHost = "127.0.0.1";
    public const int DefaultTtlSeconds = 15;

    /// <summary>The gateway's own limit on a lease.</summary>
    public const int MaxTtlSeconds = 86_400;

    /// <summary>The gateway refuses shorter admin keys at start-up, so a shorter one here can only be a mistake.</summary>
    public const int MinAdminKeyLength = 16;

    /// <summary>Three heartbeats per lease, so one lost heartbeat (or two) does not end the registration.</summary>
    public TimeSpan HeartbeatInterval => TimeSpan.FromSeconds(TtlSeconds / 3.0);

    // The key is a secret: a record prints every member, so this one is left out of ToString.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Gateway = {Gateway}, AdminKey = ***, Service = {Service}, AdvertiseHost = {AdvertiseHost}, TtlSeconds = {TtlSeconds}");
        return true;
    }
}
