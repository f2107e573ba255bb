using Gateway.Domain;
using Gateway.Domain.LoadBalancing;

namespace Gateway.UnitTests.TestSupport;

/// <summary>Hammers one strategy from many threads the way the forwarding handler uses it.</summary>
internal static class ConcurrentPicks
{
    public const int Threads = 8;

    public const int PicksPerThread = 100_000;

    /// <summary>
    /// Each thread picks, counts the request in flight on the pick, and ends it again, like one proxied request.
    /// </summary>
    /// <param name="trackInFlight">
    /// False to leave the in-flight counts alone. With them, a thread descheduled between begin and end leaves its
    /// instance busy for a whole time slice, and the load-aware strategies rightly steer around it; so a test of how
    /// evenly idle instances share the load turns tracking off.
    /// </param>
    /// <returns>How often each of <paramref name="instances"/> was picked, by index.</returns>
    public static long[] Run(
        ILoadBalancer loadBalancer,
        Instance[] instances,
        int threads = Threads,
        int picksPerThread = PicksPerThread,
        bool trackInFlight = true)
    {
        var totals = new long[instances.Length];
        Concurrently.Run(threads, _ =>
        {
            var counts = new long[instances.Length];
            for (var i = 0; i < picksPerThread; i++)
            {
                var picked = loadBalancer.Pick(instances) ?? throw new InvalidOperationException("Picked nothing.");
                if (trackInFlight)
                {
                    picked.BeginRequest();
                }

                counts[Array.IndexOf(instances, picked)]++;
                if (trackInFlight)
                {
                    picked.EndRequest();
                }
            }

            for (var i = 0; i < counts.Length; i++)
            {
                Interlocked.Add(ref totals[i], counts[i]);
            }
        });

        return totals;
    }
}
