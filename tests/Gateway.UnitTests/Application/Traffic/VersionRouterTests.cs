using System.Net;
using System.Text;
using Gateway.Application.Edge;
using Gateway.Application.Forwarding;
using Gateway.Application.Telemetry;
using Gateway.Application.Traffic;
using Gateway.Domain;
using Gateway.Domain.Traffic;
using Gateway.UnitTests.Domain.Traffic;
using Gateway.UnitTests.TestSupport;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Primitives;

namespace Gateway.UnitTests.Application.Traffic;

public sealed class VersionRouterTests
{
    private static readonly (string Host, string Version)[] TwoVersions = [("a", "1"), ("b", "2")];
    private static readonly VersionRouting AllWays = new("Api-Version", "api-version", PathSegment: true, Default: "1");

    private readonly FakeLogger<VersionRouter> _logger = new();

    [Theory]
    [InlineData("/items", "Api-Version", "2", "2", "/items")]
    [InlineData("/items?page=1&api-version=2", null, null, "2", "/items?page=1&api-version=2")]
    [InlineData("/v2/items?page=1", null, null, "2", "/items?page=1")]
    [InlineData("/v2", null, null, "2", "/")]
    [InlineData("/v2?page=1", null, null, "2", "/?page=1")]
    [InlineData("/videos", null, null, "1", "/videos")]
    [InlineData("/v/items", null, null, "1", "/v/items")]
    [InlineData("/v?page=1", null, null, "1", "/v?page=1")]
    [InlineData("/items", null, null, "1", "/items")]
    [InlineData("/v2/items", "Api-Version", "1", "1", "/v2/items")]
    public void Route_NamedOrDefault_ChoosesTheVersion(string path, string? header, string? value, string expected, string forwardedPath)
    {
        var service = ServiceVersionsTests.Versioned(TwoVersions, AllWays, []);

        var route = Router().Route(Command(path, header is null ? [] : [(header, value!)]), service, service.Versions!);

        route.UnknownVersion.ShouldBeNull();
        route.Version.ShouldNotBeNull().Name.ShouldBe(expected);
        route.Request.PathAndQuery.ShouldBe(forwardedPath);
    }

    [Theory]
    [InlineData("/items", "Api-Version", "3", "3")]
    [InlineData("/items?api-version=beta", null, null, "beta")]
    [InlineData("/v9/items", null, null, "9")]
    public void Route_VersionNoInstanceRuns_IsUnknown(string path, string? header, string? value, string expected)
    {
        var service = ServiceVersionsTests.Versioned(TwoVersions, AllWays, []);

        var route = Router().Route(Command(path, header is null ? [] : [(header, value!)]), service, service.Versions!);

        route.UnknownVersion.ShouldBe(expected);
        route.Version.ShouldBeNull();
    }

    [Fact]
    public void Route_NoVersionNoDefaultNoSplit_LeavesAnyInstance()
    {
        var service = ServiceVersionsTests.Versioned(TwoVersions);

        var route = Router().Route(Command("/items"), service, service.Versions!);

        route.Version.ShouldBeNull();
        route.UnknownVersion.ShouldBeNull();
    }

    [Fact]
    public void Route_StickyHeader_SameKeyAlwaysSameVersion()
    {
        var service = Split(50, 50, new StickyKey(StickyKind.Header, "X-User"));
        var router = Router();

        var versions = Enumerable.Range(0, 200)
            .Select(i => router.Route(Command("/", [("X-User", $"user-{i % 20}")]), service, service.Versions!).Version!.Name)
            .ToList();

        for (var i = 20; i < versions.Count; i++)
        {
            versions[i].ShouldBe(versions[i % 20]);
        }

        versions.Distinct().Count().ShouldBe(2);
    }

    [Fact]
    public void Route_StickyClientIp_BehindATrustedProxy_IsTheAddressItForwarded()
    {
        var service = Split(50, 50, new StickyKey(StickyKind.ClientIp, null));
        var router = Router(proxies: new TrustedProxies([IPNetwork.Parse("203.0.113.0/24")]));

        var byClient = Enumerable.Range(0, 50)
            .Select(i => (i, router.Route(Command("/", [("X-Forwarded-For", $"198.51.100.{i}")]), service, service.Versions!).Version!.Name))
            .ToList();

        byClient.ShouldAllBe(pair => pair.Name == Expected(service, $"198.51.100.{pair.i}"));
        byClient.Select(pair => pair.Name).Distinct().Count().ShouldBe(2, "the proxy's own address would put every client on one version");
    }

    [Fact]
    public void Route_StickyCookie_ReadsTheNamedCookie()
    {
        var service = Split(50, 50, new StickyKey(StickyKind.Cookie, "session"));
        var router = Router();

        var byCookie = Enumerable.Range(0, 50)
            .Select(i => (i, router.Route(Command("/", [("Cookie", $"theme=dark; session={i}")]), service, service.Versions!).Version!.Name))
            .ToList();

        byCookie.ShouldAllBe(pair => pair.Name == Expected(service, $"{pair.i}"));
    }

    [Fact]
    public void Route_StickyClaim_ReadsTheBearerTokensClaim()
    {
        var service = Split(50, 50, new StickyKey(StickyKind.Claim, "sub"));
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"sub":"alice"}""")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var route = Router().Route(Command("/", [("Authorization", $"Bearer e30.{payload}.c2ln")]), service, service.Versions!);

        route.Version!.Name.ShouldBe(Expected(service, "alice"));
    }

    [Fact]
    public void Route_SplitOverManyKeys_MatchesTheWeightsWithinOnePointAndAHalf()
    {
        var service = Split(95, 5, new StickyKey(StickyKind.Header, "X-User"));
        var router = Router();

        var toTwo = Enumerable.Range(0, 10_000)
            .Count(i => router.Route(Command("/", [("X-User", $"user-{i}")]), service, service.Versions!).Version!.Name == "2");

        (toTwo / 100.0).ShouldBeInRange(5 - 1.5, 5 + 1.5);
    }

    [Fact]
    public void Route_WithoutStickyKey_SplitsAtRandomByTheWeights()
    {
        var service = Split(70, 30, null);
        var router = Router(new Random(7));

        var toTwo = Enumerable.Range(0, 10_000).Count(_ => router.Route(Command("/"), service, service.Versions!).Version!.Name == "2");

        (toTwo / 100.0).ShouldBeInRange(30 - 1.5, 30 + 1.5);
    }

    [Fact]
    public void Route_WeightsMove_OnlyKeysPastTheBoundaryMove()
    {
        var sticky = new StickyKey(StickyKind.Header, "X-User");
        var before = Split(95, 5, sticky);
        var after = Split(90, 10, sticky);
        var router = Router();
        var keys = Enumerable.Range(0, 10_000).Select(i => $"user-{i}").ToList();

        var moved = keys
            .Select(key => (Before: Name(router, before, key), After: Name(router, after, key)))
            .Where(pair => pair.Before != pair.After)
            .ToList();

        moved.ShouldAllBe(pair => pair.Before == "1" && pair.After == "2");
        (moved.Count / 100.0).ShouldBeInRange(5 - 1.5, 5 + 1.5);
    }

    [Fact]
    public void Route_VersionDown_ItsShareGoesToTheOthersAndIsLoggedOnce()
    {
        var service = Split(50, 50, new StickyKey(StickyKind.Header, "X-User"));
        var router = Router();
        TestServices.TakeOut(service.Instances[1]);

        var whileDown = Enumerable.Range(0, 100).Select(i => Name(router, service, $"user-{i}")).ToList();
        TestServices.PutBack(service.Instances[1]);
        var afterwards = Enumerable.Range(0, 100).Select(i => Name(router, service, $"user-{i}")).ToList();

        whileDown.ShouldAllBe(name => name == "1");
        afterwards.ShouldContain("2");
        _logger.Collector.GetSnapshot().Select(record => record.Message).ShouldBe(
        [
            "orders: version 2 has no available instance; its share of the split goes to the other versions",
            "orders: version 2 has an available instance again and takes its share of the split back",
        ]);
    }

    [Fact]
    public void PointOf_IsAFixedFunctionOfTheKey() =>
        // A fixed value, not one computed here: string.GetHashCode differs per process, and replicas (and the builds
        // of a rolling upgrade) must agree on every key's version.
        VersionRouter.PointOf("user-42").ShouldBe(8797103408588478355UL);

    private static string Expected(Service service, string key) => service.Versions!.ChooseBySplit(VersionRouter.PointOf(key))!.Name;

    private static string Name(VersionRouter router, Service service, string user) =>
        router.Route(Command("/", [("X-User", user)]), service, service.Versions!).Version!.Name;

    private static Service Split(int one, int two, StickyKey? stickyBy) =>
        ServiceVersionsTests.Versioned(TwoVersions, null, [("1", one), ("2", two)], stickyBy);

    private VersionRouter Router(Random? random = null, TrustedProxies? proxies = null) =>
        new(new GatewayMetrics(new TestMeterFactory(), new ServiceRegistry(new Gateway.Domain.LoadBalancing.LoadBalancerFactory())), _logger, random, proxies);

    private static ForwardRequestCommand Command(string pathAndQuery, params (string Name, string Value)[] headers) =>
        new(
            "orders",
            "GET",
            pathAndQuery,
            new Dictionary<string, StringValues>(
                headers.Select(header => new KeyValuePair<string, StringValues>(header.Name, header.Value)), StringComparer.OrdinalIgnoreCase),
            Body: null,
            ContentLength: null,
            Client: new ClientInfo("203.0.113.7", "http", "gateway.test"));
}
