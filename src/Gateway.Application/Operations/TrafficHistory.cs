using Gateway.Domain;

namespace Gateway.Application.Operations;

/// <summary>
/// The few minutes of proxied traffic the dashboard draws: recorded into each instance's <see cref="TrafficWindow"/>
/// as requests end, read back added up per period.
/// </summary>
public sealed class TrafficHistory(TimeProvider time)
{
    /// <summary>The period a request ending now is counted in.</summary>
    public long CurrentPeriod => time.GetTimestamp() / (time.TimestampFrequency * TrafficWindow.SlotSeconds);

    /// <param name="failed">No answer, or a 5xx: what passive health counts as a failure.</param>
    public void Record(Instance instance, TimeSpan latency, bool failed) =>
        instance.RecordTraffic(CurrentPeriod, latency, failed);

    /// <summary>
    /// The instances' traffic in each of the <paramref name="count"/> periods before the current one, oldest first:
    /// the current period is still filling, and would show as a dip at the end of every chart.
    /// </summary>
    public TrafficTotals[] Periods(IEnumerable<Instance> instances, int count)
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, TrafficWindow.Slots - 1);
        var newest = CurrentPeriod - 1;
        var periods = new TrafficTotals[count];
        foreach (var instance in instances)
        {
            instance.Traffic?.AddTo(newest, count, periods);
        }

        for (var i = 0; i < periods.Length; i++)
        {
            periods[i] ??= new TrafficTotals();
        }

        return periods;
    }

    /// <summary>The instances' traffic over the <paramref name="count"/> periods before the current one, added up.</summary>
    public TrafficTotals Total(IEnumerable<Instance> instances, int count)
    {
        var total = new TrafficTotals();
        foreach (var period in Periods(instances, count))
        {
            total.Add(period);
        }

        return total;
    }
}
