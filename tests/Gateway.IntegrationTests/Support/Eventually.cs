namespace Gateway.IntegrationTests.Support;

/// <summary>Waits for a condition by polling it against a deadline, for state that settles asynchronously.</summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan deadline, string? because = null)
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed > deadline)
            {
                throw new TimeoutException($"Condition not met within {deadline}{(because is null ? "" : ": " + because)}.");
            }

            await Task.Delay(PollInterval);
        }
    }

    public static Task TrueAsync(Func<bool> condition, TimeSpan deadline, string? because = null) =>
        TrueAsync(() => Task.FromResult(condition()), deadline, because);
}
