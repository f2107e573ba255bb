using System.Security.Cryptography;
using System.Text;

namespace Gateway.Application.Edge;

/// <summary>Finds the name of the key a request presents, knowing only the keys' SHA-256 hashes.</summary>
/// <remarks>
/// The presented key is hashed and compared with every configured hash in constant time, and the loop does not stop
/// at a match: neither the time taken nor the point it ends tells how much of a guess was right, or which key.
/// </remarks>
public sealed class ApiKeyAuthenticator(IReadOnlyList<ApiKeyEntry> keys)
{
    private readonly ApiKeyEntry[] _keys = [.. keys];

    /// <summary>The matching key's name; null when the key matches none.</summary>
    public string? Authenticate(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        // Keys are short; a long value is refused before it costs a large hash.
        if (presented.Length is 0 or > 4096)
        {
            return null;
        }

        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(presented.Length)];
        var length = Encoding.UTF8.GetBytes(presented, utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);
        utf8[..length].Clear();

        string? found = null;
        foreach (var key in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, key.Sha256) && found is null)
            {
                found = key.Name;
            }
        }

        return found;
    }
}
