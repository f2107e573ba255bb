using Gateway.Domain;

namespace Gateway.UnitTests.TestSupport;

/// <summary>Instances named a, b, c… so that failures read like the sequences in the tests.</summary>
internal static class TestInstances
{
    public const int Port = 8080;

    /// <summary>One instance per weight, on hosts a, b, c… in that order.</summary>
    public static Instance[] Weighted(params int[] weights) =>
        [.. weights.Select((weight, i) => new Instance(HostName(i), Port, weight))];

    /// <summary>Instances with weight 1 on hosts a, b, c…</summary>
    public static Instance[] Create(int count) => Weighted([.. Enumerable.Repeat(1, count)]);

    public static string HostName(int index) => ((char)('a' + index)).ToString();

    /// <summary>The instances' hosts in order: picks a, b, a read as "a b a".</summary>
    public static string Hosts(IEnumerable<Instance?> instances) =>
        string.Join(' ', instances.Select(instance => instance?.Host ?? "null"));

    /// <summary>Puts <paramref name="loads"/>[i] requests in flight on instance i.</summary>
    public static void Load(IReadOnlyList<Instance> instances, params int[] loads)
    {
        for (var i = 0; i < loads.Length; i++)
        {
            for (var request = 0; request < loads[i]; request++)
            {
                instances[i].BeginRequest();
            }
        }
    }

    /// <summary>How often each of <paramref name="instances"/> occurs in <paramref name="picks"/>, by index.</summary>
    public static int[] Count(IReadOnlyList<Instance> instances, IEnumerable<Instance?> picks)
    {
        var counts = new int[instances.Count];
        foreach (var pick in picks)
        {
            var index = IndexOf(instances, pick);
            if (index < 0)
            {
                throw new ShouldAssertException($"Picked {pick?.ToString() ?? "null"}, which is not a candidate.");
            }

            counts[index]++;
        }

        return counts;
    }

    private static int IndexOf(IReadOnlyList<Instance> instances, Instance? pick)
    {
        for (var i = 0; i < instances.Count; i++)
        {
            if (ReferenceEquals(instances[i], pick))
            {
                return i;
            }
        }

        return -1;
    }
}
