namespace Gateway.Domain;

/// <summary>Requests, failures and latency bins added up over some periods and instances of <see cref="TrafficWindow"/>s.</summary>
public sealed class TrafficTotals
{
    private readonly long[] _bins = new long[TrafficWindow.Bins];

    public long Requests { get; private set; }

    public long Failures { get; private set; }

    public void Add(int requests, int failures, ReadOnlySpan<int> bins)
    {
        Requests += requests;
        Failures += failures;
        for (var bin = 0; bin < _bins.Length && bin < bins.Length; bin++)
        {
            _bins[bin] += bins[bin];
        }
    }

    public void Add(TrafficTotals other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Requests += other.Requests;
        Failures += other.Failures;
        for (var bin = 0; bin < _bins.Length; bin++)
        {
            _bins[bin] += other._bins[bin];
        }
    }

    /// <summary>
    /// The latency below which <paramref name="quantile"/> of the requests fell, in milliseconds, interpolated within
    /// its bin; the slowest bin, which has no upper bound, reports its lower one. Null with no requests.
    /// </summary>
    public double? LatencyMs(double quantile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quantile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quantile, 1);
        var total = 0L;
        foreach (var count in _bins)
        {
            total += count;
        }

        if (total == 0)
        {
            return null;
        }

        var rank = quantile * total;
        var below = 0L;
        var bounds = TrafficWindow.LatencyBoundsMs;
        for (var bin = 0; bin < _bins.Length; bin++)
        {
            var count = _bins[bin];
            if (count > 0 && below + count >= rank)
            {
                var lower = bin == 0 ? 0 : bounds[bin - 1];
                if (bin == bounds.Count)
                {
                    return lower;
                }

                return lower + ((bounds[bin] - lower) * Math.Clamp((rank - below) / count, 0, 1));
            }

            below += count;
        }

        return bounds[^1];
    }
}
