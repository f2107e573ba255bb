using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Application.Shaping;

/// <summary>The opaque value that names an instance to the clients tied to it.</summary>
/// <remarks>
/// A keyed hash rather than the instance's id: the value must not reveal the instance's address, and without the key a
/// client cannot make up the value of an instance it was never sent to. The service is hashed too, so one service's
/// value means nothing to another. 128 bits of HMAC-SHA256 in base64url: 22 characters that need no quoting in a
/// cookie or a header. Replicas that share the key compute the same values.
/// </remarks>
public static class AffinityTokens
{
    private const int TokenBytes = 16;

    public static string For(ReadOnlySpan<byte> key, string service, string instanceId)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(instanceId);
        var input = Encoding.UTF8.GetBytes(string.Concat(service.ToLowerInvariant(), "\n", instanceId.ToLowerInvariant()));
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, input, hash);
        return Base64Url.EncodeToString(hash[..TokenBytes]);
    }
}
