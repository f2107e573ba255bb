using System.Collections.Concurrent;

namespace Gateway.UnitTests.TestSupport;

/// <summary>Runs work on several dedicated threads that a barrier releases together.</summary>
/// <remarks>
/// Dedicated threads rather than tasks: the thread pool injects threads slowly, so eight tasks waiting on one barrier
/// could take seconds just to start.
/// </remarks>
internal static class Concurrently
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Calls <paramref name="work"/> once on each of <paramref name="threads"/> threads with its index.</summary>
    public static void Run(int threads, Action<int> work)
    {
        using var barrier = new Barrier(threads);
        var failures = new ConcurrentQueue<Exception>();
        var workers = new Thread[threads];
        for (var i = 0; i < threads; i++)
        {
            var index = i;
            workers[i] = new Thread(() =>
            {
                barrier.SignalAndWait();
                try
                {
                    work(index);
                }
                catch (Exception exception)
                {
                    failures.Enqueue(exception);
                }
            })
            {
                IsBackground = true,
                Name = $"worker {index}",
            };
            workers[i].Start();
        }

        foreach (var worker in workers)
        {
            worker.Join(Deadline).ShouldBeTrue($"{worker.Name} did not finish within {Deadline}.");
        }

        if (!failures.IsEmpty)
        {
            throw new AggregateException(failures);
        }
    }
}
