using Gateway.Infrastructure.Registry;

namespace Gateway.UnitTests.Infrastructure.Registry;

public sealed class EtcdKeysTests
{
    private readonly EtcdKeys _keys = new("/gw/");

    [Theory]
    [InlineData("/gw/instances/orders/a:8080", nameof(EtcdKeyKind.Instance), "orders", "a:8080")]
    [InlineData("/gw/draining/Orders/A:8080", nameof(EtcdKeyKind.Drain), "Orders", "A:8080")]
    [InlineData("/gw/removed/orders/[::1]:8080", nameof(EtcdKeyKind.Removal), "orders", "[::1]:8080")]
    [InlineData("/gw/settings/orders", nameof(EtcdKeyKind.Settings), "orders", "")]
    [InlineData("/gw/overrides/orders/a:8080", nameof(EtcdKeyKind.Override), "orders", "a:8080")]
    [InlineData("/gw/splits/orders", nameof(EtcdKeyKind.Split), "orders", "")]
    [InlineData("/gw/splits/orders/x", nameof(EtcdKeyKind.Unknown), null, null)]
    [InlineData("/gw/instances/orders", nameof(EtcdKeyKind.Unknown), null, null)]
    [InlineData("/gw/instances/orders/", nameof(EtcdKeyKind.Unknown), null, null)]
    [InlineData("/gw/instances//a:8080", nameof(EtcdKeyKind.Unknown), null, null)]
    [InlineData("/gw/instances/orders/a:8080/x", nameof(EtcdKeyKind.Unknown), null, null)]
    [InlineData("/gw/settings/", nameof(EtcdKeyKind.Unknown), null, null)]
    [InlineData("/gw/settings/orders/x", nameof(EtcdKeyKind.Unknown), null, null)]
    [InlineData("/gw/other/orders", nameof(EtcdKeyKind.Unknown), null, null)]
    [InlineData("/other/instances/orders/a:8080", nameof(EtcdKeyKind.Unknown), null, null)]
    public void Parse_Key_NamesItsKindServiceAndInstance(string key, string kind, string? service, string? instanceId)
    {
        var parsed = _keys.Parse(key);

        parsed.Kind.ShouldBe(Enum.Parse<EtcdKeyKind>(kind));
        parsed.Service.ShouldBe(service);
        parsed.InstanceId.ShouldBe(instanceId);
    }

    [Fact]
    public void Keys_OfAnInstance_ReadBackAsWhatTheyName()
    {
        var instance = _keys.Instance("Orders", "A:8080");

        _keys.Parse(instance).ShouldBe(new EtcdKey(EtcdKeyKind.Instance, "Orders", "A:8080"));
        _keys.Parse(_keys.Drain("Orders", "A:8080")).ShouldBe(new EtcdKey(EtcdKeyKind.Drain, "Orders", "A:8080"));
        _keys.DrainOf(instance).ShouldBe(_keys.Drain("Orders", "A:8080"));
        _keys.Parse(_keys.RemovalOf(instance)).ShouldBe(new EtcdKey(EtcdKeyKind.Removal, "Orders", "A:8080"));
        _keys.Parse(_keys.Override("Orders", "A:8080")).ShouldBe(new EtcdKey(EtcdKeyKind.Override, "Orders", "A:8080"));
        _keys.Parse(_keys.Settings("orders")).ShouldBe(new EtcdKey(EtcdKeyKind.Settings, "orders", ""));
        instance.ShouldStartWith(_keys.Instances);
    }

    [Theory]
    [InlineData("/gw")]
    [InlineData(" ")]
    public void Constructor_PrefixWithoutTrailingSlash_Throws(string prefix) =>
        Should.Throw<ArgumentException>(() => new EtcdKeys(prefix));
}
