namespace SampleService;

/// <summary>Whether <c>/health</c> reports healthy; flipped by <c>POST /health/toggle</c> to demonstrate health checking.</summary>
internal sealed class HealthSwitch
{
    // Healthy while the number of toggles is even. Counting keeps the flip one atomic increment, and the parity
    // survives the wrap from int.MaxValue (odd) to int.MinValue (even).
    private int _toggles;

    public bool IsHealthy => (Volatile.Read(ref _toggles) & 1) == 0;

    /// <summary>Flips the state and returns whether the service is healthy afterwards.</summary>
    public bool Toggle() => (Interlocked.Increment(ref _toggles) & 1) == 0;
}
