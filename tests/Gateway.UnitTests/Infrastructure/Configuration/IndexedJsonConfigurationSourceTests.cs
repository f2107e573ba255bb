using Gateway.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;

namespace Gateway.UnitTests.Infrastructure.Configuration;

public sealed class IndexedJsonConfigurationSourceTests : IDisposable
{
    private const string Registry = """
        {
          "orders": { "LoadBalancer": "random", "Instances": [
            { "Host": "a", "Port": 1 }, { "Host": "b", "Port": 2 }, { "Host": "c", "Port": 3 }, { "Host": "d", "Port": 4 },
            { "Host": "e", "Port": 5 }, { "Host": "f", "Port": 6 }, { "Host": "g", "Port": 7 }, { "Host": "h", "Port": 8 },
            { "Host": "i", "Port": 9 }, { "Host": "j", "Port": 10 }, { "Host": "k", "Port": 11, "Weight": 3 } ] },
          "Billing": { "health_check_path": "/status", "instances": [], "Extra": { "Nested": { "Deep": "x" } } },
          "empty": {}
        }
        """;

    private readonly string _file = Path.GetTempFileName();

    public IndexedJsonConfigurationSourceTests() => File.WriteAllText(_file, Registry);

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void GetChildren_AnyRegistryFile_ListsWhatTheStockJsonProviderLists()
    {
        var stock = new ConfigurationBuilder().AddJsonFile(_file).Build();

        var indexed = new ConfigurationBuilder()
            .Add<IndexedJsonConfigurationSource>(source =>
            {
                source.Path = _file;
                source.ResolveFileProvider();
            })
            .Build();

        Flatten(indexed).ShouldBe(Flatten(stock));
    }

    /// <summary>Every section reached through GetChildren, in the order it is listed, with its value.</summary>
    private static List<string> Flatten(IConfiguration configuration)
    {
        var lines = new List<string>();
        foreach (var child in configuration.GetChildren())
        {
            lines.Add($"{child.Path}={child.Value}");
            lines.AddRange(Flatten(child));
        }

        return lines;
    }
}
