using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace Gateway.Infrastructure.Configuration;

/// <summary>A JSON file whose sections list their children from an index built once, at load.</summary>
/// <remarks>
/// The stock provider answers every <c>GetChildren</c> by scanning every key of the file, so reading a registry
/// section by section costs time quadratic in its size: with 10,000 instances that scan was most of start-up.
/// </remarks>
internal sealed class IndexedJsonConfigurationSource : JsonConfigurationSource
{
    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new Provider(this);
    }

    private sealed class Provider(JsonConfigurationSource source) : JsonConfigurationProvider(source)
    {
        private Dictionary<string, HashSet<string>> _children = new(StringComparer.OrdinalIgnoreCase);

        public override void Load()
        {
            base.Load();
            var children = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
            foreach (var key in Data.Keys)
            {
                // Each ancestor of a key lists the segment below it once, as the stock provider's callers de-duplicate.
                var start = 0;
                while (true)
                {
                    var end = key.IndexOf(ConfigurationPath.KeyDelimiter, start, StringComparison.Ordinal);
                    var parent = start == 0 ? "" : key[..(start - 1)];
                    if (!children.TryGetValue(parent, out var segments))
                    {
                        children[parent] = segments = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                    }

                    segments.Add(end < 0 ? key[start..] : key[start..end]);
                    if (end < 0)
                    {
                        break;
                    }

                    start = end + 1;
                }
            }

            _children = children;
        }

        public override IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath)
        {
            var results = new List<string>(earlierKeys);
            if (_children.TryGetValue(parentPath ?? "", out var children))
            {
                results.AddRange(children);
            }

            results.Sort(ConfigurationKeyComparer.Instance);
            return results;
        }
    }
}
