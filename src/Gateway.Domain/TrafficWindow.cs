namespace Gateway.Domain;

/// <summary>
/// The last few minutes of one instance's proxied traffic, in slots of <see cref="SlotSeconds"/>: how many requests
/// ended in each latency bin of a fixed set, and how many of them failed.
/// </summary>
/// <remarks>
/// Recorded on every proxied request, so it allocates nothing and takes no lock: the slots are preallocated once,
/// counted with <see cref="Interlocked"/>, and reused round the ring. Each slot carries the number of the period it
/// counts; the first request of a new period claims the slot by compare-and-swap and clears it. A request that arrives
/// in the instant another clears its slot is not counted: the picture loses a sample rather than every request paying
/// for a lock. A request costs one increment (two if it failed): the number of requests is the sum of the bins. Latency
/// percentiles come from the bins, never from kept samples, so memory is fixed per instance.
/// </remarks>
public sealed class TrafficWindow
{
    /// <summary>How many slots the ring keeps: with <see cref="SlotSeconds"/>, five minutes.</summary>
    public const int Slots = 150;

    public const int SlotSeconds = 2;

    /// <summary>Upper bounds of the latency bins; a last bin holds everything slower.</summary>
    public static readonly IReadOnlyList<double> LatencyBoundsMs = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    /// <summary>The number of latency bins, the open-ended last one included.</summary>
    public static readonly int Bins = LatencyBoundsMs.Count + 1;

    private const long Claiming = -2;
    private const long Unused = -1;
    private const int FailuresField = 0;
    private const int FirstBinField = 1;

    private static readonly long[] BoundTicks = [.. LatencyBoundsMs.Select(ms => (long)(ms * TimeSpan.TicksPerMillisecond))];
    private static readonly int Stride = FirstBinField + Bins;

    private readonly long[] _periods;
    private readonly int[] _counts;

    public TrafficWindow()
    {
        _periods = new long[Slots];
        Array.Fill(_periods, Unused);
        _counts = new int[Slots * Stride];
    }

    /// <summary>Counts one request that ended in <paramref name="period"/> (seconds since any fixed origin, divided by <see cref="SlotSeconds"/>).</summary>
    public void Record(long period, TimeSpan latency, bool failed)
    {
        var slot = (int)(period % Slots);
        var seen = Volatile.Read(ref _periods[slot]);
        if (seen != period && !TryClaim(slot, seen, period))
        {
            return;
        }

        // The request before its failure, and the reader the failures before the requests: a reader never sees
        // more failures than requests.
        var start = slot * Stride;
        Interlocked.Increment(ref _counts[start + FirstBinField + BinOf(latency.Ticks)]);
        if (failed)
        {
            Interlocked.Increment(ref _counts[start + FailuresField]);
        }
    }

    /// <summary>
    /// Adds the counts of <paramref name="count"/> periods ending with <paramref name="newest"/>, oldest first, into
    /// <paramref name="into"/>: periods that had no request, or whose slot has since been reused, add nothing.
    /// </summary>
    public void AddTo(long newest, int count, TrafficTotals[] into)
    {
        ArgumentNullException.ThrowIfNull(into);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Math.Min(Slots, into.Length));
        Span<int> bins = stackalloc int[Bins];
        for (var i = 0; i < count; i++)
        {
            var period = newest - count + 1 + i;
            if (period < 0)
            {
                continue;
            }

            var slot = (int)(period % Slots);
            if (Volatile.Read(ref _periods[slot]) != period)
            {
                continue;
            }

            var start = slot * Stride;
            var totals = into[i] ??= new TrafficTotals();
            var failures = Volatile.Read(ref _counts[start + FailuresField]);
            var requests = 0;
            for (var bin = 0; bin < Bins; bin++)
            {
                bins[bin] = Volatile.Read(ref _counts[start + FirstBinField + bin]);
                requests += bins[bin];
            }

            // Claimed for a later period while being read: its counts may be half cleared, so none of them count.
            if (Volatile.Read(ref _periods[slot]) == period)
            {
                totals.Add(requests, failures, bins);
            }
        }
    }

    private bool TryClaim(int slot, long seen, long period)
    {
        // A request finishing late, after its slot moved on to a newer period, or one arriving while another clears
        // the slot, is left out.
        if (seen == Claiming || seen > period || Interlocked.CompareExchange(ref _periods[slot], Claiming, seen) != seen)
        {
            return Volatile.Read(ref _periods[slot]) == period;
        }

        Array.Clear(_counts, slot * Stride, Stride);
        Volatile.Write(ref _periods[slot], period);
        return true;
    }

    private static int BinOf(long ticks)
    {
        var bounds = BoundTicks;
        for (var bin = 0; bin < bounds.Length; bin++)
        {
            if (ticks <= bounds[bin])
            {
                return bin;
            }
        }

        return bounds.Length;
    }
}
