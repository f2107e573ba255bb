using System.Runtime.InteropServices;

namespace Gateway.Api.Hosting;

/// <summary>The process's open-file limit (<c>RLIMIT_NOFILE</c>), which caps sockets as much as files.</summary>
/// <remarks>
/// Every client connection, upstream connection and probe holds a descriptor. When they run out, the runtime cannot
/// create what it needs for itself and ends the process, so the soft limit is raised to the hard one at start-up, as
/// nginx and Envoy do, and client connections are capped below it (see <see cref="ConnectionLimiter"/>).
/// </remarks>
internal static class DescriptorLimit
{
    private const int RlimitNofile = 7;

    /// <summary>The soft limit before <see cref="Raise"/>, or null where it cannot be read.</summary>
    public static ulong? Initial { get; private set; }

    /// <summary>The soft limit in force, or null where it cannot be read (not Linux).</summary>
    public static ulong? Current => TryGet(out var limit) ? limit.Soft : null;

    /// <summary>Raises the soft limit to the hard limit; does nothing where limits cannot be read.</summary>
    public static void Raise()
    {
        if (!TryGet(out var limit))
        {
            return;
        }

        Initial ??= limit.Soft;
        if (limit.Soft < limit.Hard)
        {
            // A refusal leaves the soft limit as it was, which Current then reports: nothing to handle.
            _ = SetRlimit(RlimitNofile, new RLimit { Soft = limit.Hard, Hard = limit.Hard });
        }
    }

    private static bool TryGet(out RLimit limit)
    {
        limit = default;
        return OperatingSystem.IsLinux() && GetRlimit(RlimitNofile, out limit) == 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Soft;
        public ulong Hard;
    }

    // DllImport rather than LibraryImport: the struct is blittable, so no marshalling code is generated either way,
    // and LibraryImport would need the whole project compiled with unsafe code allowed.
    [DllImport("libc", EntryPoint = "getrlimit")]
    private static extern int GetRlimit(int resource, out RLimit limit);

    [DllImport("libc", EntryPoint = "setrlimit")]
    private static extern int SetRlimit(int resource, in RLimit limit);
}
