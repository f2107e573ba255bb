namespace Gateway.Domain.LoadBalancing;

/// <summary>
/// Smooth weighted round robin, as nginx does it: weights 5, 1, 1 give a a b a c a a, spreading the heavy
/// instance's turns out instead of sending it five in a row.
/// </summary>
/// <remarks>
/// The sequence is periodic, with a period of the weights' sum, so it is computed once per set of candidates and
/// then read at an atomic ticket: picks take no lock and every window of one period gives each candidate exactly its
/// weight. A new set of candidates (a health change) gets a new sequence and the ticket carries on. Only when the
/// period would be too long to keep does the strategy fall back to stepping the algorithm under a per-service lock.
/// </remarks>
public sealed class WeightedRoundRobinLoadBalancer : ILoadBalancer
{
    internal const int MaxPrecomputedPeriod = 1 << 16;

    private Schedule? _schedule;
    private long _next = -1;

    public string Name => LoadBalancerNames.WeightedRoundRobin;

    public Instance? Pick(IReadOnlyList<Instance> candidates)
    {
        var count = candidates.Count;
        if (count <= 1)
        {
            return count == 0 ? null : candidates[0];
        }

        var schedule = Volatile.Read(ref _schedule);
        if (schedule is null || !schedule.IsFor(candidates))
        {
            // Racing callers may each build one; any of them is correct, and the last one stays.
            schedule = new Schedule(candidates);
            Volatile.Write(ref _schedule, schedule);
        }

        return schedule.At((ulong)Interlocked.Increment(ref _next));
    }

    private sealed class Schedule
    {
        private readonly IReadOnlyList<Instance> _source;
        private readonly Instance[] _candidates;
        private readonly int[] _weights;

        // A long: weights are ints, so their sum may not fit one, and a clamped total would skew the proportions.
        private readonly long _total;
        private readonly Instance[]? _period;
        private readonly long[] _current;
        private readonly Lock _stepLock = new();

        public Schedule(IReadOnlyList<Instance> candidates)
        {
            _source = candidates;
            _candidates = [.. candidates];
            _weights = ReducedWeights(_candidates);
            _current = new long[_candidates.Length];
            foreach (var weight in _weights)
            {
                _total += weight;
            }

            if (_total <= MaxPrecomputedPeriod)
            {
                _period = new Instance[_total];
                for (var i = 0; i < _period.Length; i++)
                {
                    _period[i] = Step();
                }
            }
        }

        /// <remarks>
        /// The same list object is the same candidates (see <see cref="ILoadBalancer.Pick"/>): that check costs the
        /// same at any pool size, where comparing the instances one by one grew with it on every pick. Another list
        /// with the same instances, as a caller without snapshots would pass, still reuses the schedule.
        /// </remarks>
        public bool IsFor(IReadOnlyList<Instance> candidates)
        {
            if (ReferenceEquals(candidates, _source))
            {
                return true;
            }

            if (candidates.Count != _candidates.Length)
            {
                return false;
            }

            for (var i = 0; i < _candidates.Length; i++)
            {
                if (!ReferenceEquals(candidates[i], _candidates[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public Instance At(ulong ticket)
        {
            if (_period is not null)
            {
                return _period[(int)(ticket % (uint)_period.Length)];
            }

            lock (_stepLock)
            {
                return Step();
            }
        }

        /// <summary>One step of nginx's algorithm: everyone gains its weight, the richest is chosen and pays the total.</summary>
        private Instance Step()
        {
            var best = 0;
            for (var i = 0; i < _current.Length; i++)
            {
                _current[i] += _weights[i];
                if (_current[i] > _current[best])
                {
                    best = i;
                }
            }

            _current[best] -= _total;
            return _candidates[best];
        }

        /// <summary>Weights divided by their greatest common divisor: 10, 20 cycles like 1, 2 but in a shorter period.</summary>
        private static int[] ReducedWeights(Instance[] candidates)
        {
            var weights = new int[candidates.Length];
            var divisor = 0;
            for (var i = 0; i < weights.Length; i++)
            {
                weights[i] = candidates[i].Weight;
                divisor = Gcd(divisor, weights[i]);
            }

            for (var i = 0; i < weights.Length; i++)
            {
                weights[i] /= divisor;
            }

            return weights;
        }

        private static int Gcd(int a, int b)
        {
            while (b != 0)
            {
                (a, b) = (b, a % b);
            }

            return a;
        }
    }
}
