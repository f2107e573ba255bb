using Gateway.Application.Shaping;
using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Gateway.UnitTests.TestSupport;
using Microsoft.Extensions.Primitives;

namespace Gateway.UnitTests.Application.Shaping;

public sealed class SessionAffinityTests
{
    private static readonly byte[] Key = "a key of sixteen+ characters"u8.ToArray();

    private readonly ServiceRegistry _registry = new(new LoadBalancerFactory());
    private readonly Service _service;

    public SessionAffinityTests()
    {
        _service = _registry.Upsert(TestServices.Define("orders", "round_robin", TestServices.Weighted(1, 1, 1)));
    }

    [Fact]
    public void Find_CookieSetByMark_NamesTheSameInstance()
    {
        var affinity = new SessionAffinity(new AffinitySettings(AffinityCarrier.Cookie, "GW-Affinity"), Key);
        var mark = affinity.Mark(_service, _service.Instances[1], secure: false);

        var found = affinity.Find(Cookie($"theme=dark; {CookiePair(mark)}; lang=en"), _service);

        found.ShouldBeSameAs(_service.Instances[1]);
    }

    [Fact]
    public void Mark_Cookie_IsScopedToTheServiceAndHiddenFromScripts()
    {
        var affinity = new SessionAffinity(new AffinitySettings(AffinityCarrier.Cookie, "GW-Affinity"), Key);

        var plain = affinity.Mark(_service, _service.Instances[0], secure: false);
        var secure = affinity.Mark(_service, _service.Instances[0], secure: true);

        plain.Header.ShouldBe("Set-Cookie");
        plain.Appended.ShouldBeTrue();
        plain.Value.ShouldMatch("^GW-Affinity=[A-Za-z0-9_-]{22}; Path=/orders; HttpOnly; SameSite=Lax$");
        secure.Value.ShouldBe(plain.Value + "; Secure");
    }

    [Fact]
    public void Mark_Value_RevealsNeitherHostNorPort()
    {
        var registry = new ServiceRegistry(new LoadBalancerFactory());
        var service = registry.Upsert(TestServices.Define("orders", "round_robin", new InstanceDefinition("10.20.30.40", 8443)));
        var affinity = new SessionAffinity(new AffinitySettings(AffinityCarrier.Header, "X-Affinity"), Key);

        var mark = affinity.Mark(service, service.Instances[0], secure: false);

        mark.Header.ShouldBe("X-Affinity");
        mark.Value.ShouldNotContain("10.20.30.40");
        mark.Value.ShouldNotContain("8443");
        mark.Value.ShouldNotContain(Convert.ToBase64String("10.20.30.40:8443"u8).TrimEnd('='));
        mark.Value.Length.ShouldBe(22);
    }

    [Fact]
    public void Find_Header_RoundTrips()
    {
        var affinity = new SessionAffinity(new AffinitySettings(AffinityCarrier.Header, "X-Affinity"), Key);
        var mark = affinity.Mark(_service, _service.Instances[2], secure: false);

        var found = affinity.Find(Headers(("x-affinity", mark.Value)), _service);

        found.ShouldBeSameAs(_service.Instances[2]);
    }

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("a:8080")]
    [InlineData("")]
    [InlineData("not base64 at all!")]
    public void Find_ForgedValue_IsNoAffinity(string value)
    {
        var affinity = new SessionAffinity(new AffinitySettings(AffinityCarrier.Header, "X-Affinity"), Key);

        affinity.Find(Headers(("X-Affinity", value)), _service).ShouldBeNull();
    }

    [Fact]
    public void Find_ValueMadeWithAnotherKey_IsNoAffinity()
    {
        var settings = new AffinitySettings(AffinityCarrier.Header, "X-Affinity");
        var other = new SessionAffinity(settings, "another key, also long enough"u8.ToArray());
        var value = other.Mark(_service, _service.Instances[0], secure: false).Value;

        new SessionAffinity(settings, Key).Find(Headers(("X-Affinity", value)), _service).ShouldBeNull();
    }

    [Fact]
    public void Find_ValueOfTheSameInstanceInAnotherService_IsNoAffinity()
    {
        var users = _registry.Upsert(TestServices.Define("users", "round_robin", TestServices.Weighted(1, 1, 1)));
        var affinity = new SessionAffinity(new AffinitySettings(AffinityCarrier.Header, "X-Affinity"), Key);
        var value = affinity.Mark(users, users.Instances[0], secure: false).Value;

        affinity.Find(Headers(("X-Affinity", value)), _service).ShouldBeNull();
    }

    [Fact]
    public void Find_InstanceTakenOut_IsNoAffinityUntilItIsBack()
    {
        var affinity = new SessionAffinity(new AffinitySettings(AffinityCarrier.Header, "X-Affinity"), Key);
        var instance = _service.Instances[0];
        var headers = Headers(("X-Affinity", affinity.Mark(_service, instance, secure: false).Value));

        TestServices.TakeOut(instance);
        var whileOut = affinity.Find(headers, _service);
        TestServices.PutBack(instance);
        var afterwards = affinity.Find(headers, _service);

        whileOut.ShouldBeNull();
        afterwards.ShouldBeSameAs(instance);
    }

    [Fact]
    public void Find_InstanceRemovedFromTheRegistry_IsNoAffinity_AndAnAddedOneIsFound()
    {
        var affinity = new SessionAffinity(new AffinitySettings(AffinityCarrier.Header, "X-Affinity"), Key);
        var removed = affinity.Mark(_service, _service.Instances[2], secure: false).Value;

        var changed = _registry.Upsert(TestServices.Define("orders", "round_robin", new InstanceDefinition("a", 8080), new InstanceDefinition("d", 8080)));
        var added = affinity.Mark(changed, changed.Instances[1], secure: false).Value;

        affinity.Find(Headers(("X-Affinity", removed)), changed).ShouldBeNull();
        affinity.Find(Headers(("X-Affinity", added)), changed).ShouldBeSameAs(changed.Instances[1]);
    }

    [Fact]
    public void Mark_SameKeyInAnotherGateway_GivesTheSameValue()
    {
        var settings = new AffinitySettings(AffinityCarrier.Header, "X-Affinity");
        var replica = new ServiceRegistry(new LoadBalancerFactory()).Upsert(TestServices.Define("ORDERS", "round_robin", TestServices.Weighted(1, 1, 1)));

        var here = new SessionAffinity(settings, Key).Mark(_service, _service.Instances[1], secure: false);
        var there = new SessionAffinity(settings, [.. Key]).Mark(replica, replica.Instances[1], secure: false);

        there.ShouldBe(here);
    }

    [Theory]
    [InlineData("GW=abc", "abc")]
    [InlineData("a=1; GW=abc", "abc")]
    [InlineData("a=1;GW=abc;b=2", "abc")]
    [InlineData("GW = \"abc\" ", "abc")]
    [InlineData("XGW=abc; GW2=def", "")]
    [InlineData("gw=abc", "")]
    [InlineData("GW", "")]
    [InlineData("", "")]
    public void CookieValue_FindsTheNamedCookieOnly(string header, string expected)
    {
        SessionAffinity.CookieValue(header, "GW").ToString().ShouldBe(expected);
    }

    private static string CookiePair(AffinityMark mark) => mark.Value[..mark.Value.IndexOf(';', StringComparison.Ordinal)];

    private static Dictionary<string, StringValues> Cookie(string value) => Headers(("Cookie", value));

    private static Dictionary<string, StringValues> Headers(params (string Name, string Value)[] headers) =>
        headers.ToDictionary(h => h.Name, h => new StringValues(h.Value), StringComparer.OrdinalIgnoreCase);
}
