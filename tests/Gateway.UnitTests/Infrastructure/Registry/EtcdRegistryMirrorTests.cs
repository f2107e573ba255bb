using System.Text;
using System.Text.Json;
using Gateway.Application.Registration;
using Gateway.Domain;
using Gateway.Infrastructure.Registry;
using Gateway.UnitTests.TestSupport;
using Microsoft.Extensions.Logging.Testing;

namespace Gateway.UnitTests.Infrastructure.Registry;

/// <summary>The etcd store's decoded copy of the fleet's prefix, fed puts and deletes by hand as the watch would.</summary>
public sealed class EtcdRegistryMirrorTests
{
    private const long Lease = 7;

    private static readonly DateTimeOffset Start = TestServices.Now;

    private readonly EtcdKeys _keys = new("/gw/");
    private readonly FakeLogger _logger = new();
    private readonly EtcdRegistryMirror _mirror;
    private long _revision;

    public EtcdRegistryMirrorTests() => _mirror = new EtcdRegistryMirror(_keys, _logger);

    [Fact]
    public void Snapshot_InstancesDrainMarksAndSettings_AreWhatThePrefixHolds()
    {
        PutInstance("orders", "b");
        PutInstance("orders", "a");
        PutInstance("billing", "c");
        Put(_keys.Drain("orders", "a:8080"), "1");
        Put(_keys.Settings("orders"), """{"loadBalancer":"random","healthCheckPath":"/ready"}""");

        var snapshot = _mirror.EndBatch(Start);

        snapshot.Instances.Select(i => $"{i.Service}/{i.Id}").ShouldBe(["billing/c:8080", "orders/a:8080", "orders/b:8080"]);
        snapshot.Draining.ShouldBe(["orders/a:8080"]);
        snapshot.Settings["ORDERS"].ShouldBe(new ServiceSettings("random", "/ready"));
        snapshot.Expired.ShouldBeEmpty();
    }

    [Fact]
    public void Snapshot_Overrides_AreKeyedByServiceAndInstanceAndGoWithTheirKeys()
    {
        var decision = new InstanceOverride("kernel upgrade", Start, Start.AddMinutes(5), "ab12cd34");
        Put(_keys.Override("orders", "a:8080"), JsonSerializer.Serialize(decision, EtcdRegistryMirror.Json));

        var withIt = _mirror.EndBatch(Start);
        _mirror.Delete(_keys.Override("orders", "a:8080"));
        var without = _mirror.EndBatch(Start);

        withIt.Overrides["ORDERS/A:8080"].ShouldBe(decision);
        without.Overrides.ShouldBeEmpty();
    }

    [Fact]
    public void Snapshot_Splits_AreKeyedByServiceAndGoWithTheirKeys()
    {
        Put(_keys.Split("orders"), """{"1":90,"2":10}""");

        var withIt = _mirror.EndBatch(Start);
        _mirror.Delete(_keys.Split("orders"));
        var without = _mirror.EndBatch(Start);

        withIt.Splits["ORDERS"].ShouldBe(new Dictionary<string, int> { ["1"] = 90, ["2"] = 10 });
        without.Splits.ShouldBeEmpty();
    }

    [Fact]
    public void Snapshot_OneInstanceUnderTwoSpellings_KeepsTheLatestWrite()
    {
        PutInstance("orders", "a", weight: 1);
        PutInstance("ORDERS", "A", weight: 2);

        var snapshot = _mirror.EndBatch(Start);

        snapshot.Instances.ShouldHaveSingleItem().Weight.ShouldBe(2);
    }

    [Theory]
    [InlineData("/gw/instances/orders/a:8080", "not json", "Ignoring /gw/instances/orders/a:8080 in etcd: ")]
    [InlineData("/gw/instances/orders/a:8080", "null", "its value is null")]
    [InlineData("/gw/instances/orders/a:8080", """{"service":"orders","port":8080}""", "lacks its service, host or scheme")]
    [InlineData("/gw/instances/orders/b:8080", """{"service":"orders","host":"a","port":8080,"weight":1,"scheme":"http"}""", "it registers orders a:8080, not what its key names")]
    [InlineData("/gw/elsewhere/orders", "{}", "it is not an instance, drain mark, override, service setting or split")]
    public void Put_ValueThatDoesNotDecode_IsLoggedAndLeftOut(string key, string value, string logged)
    {
        Put(key, value);

        _mirror.EndBatch(Start).Instances.ShouldBeEmpty();
        _logger.LatestRecord.Message.ShouldContain(logged);
    }

    [Fact]
    public void Delete_InstanceKey_LeavesItsDrainMarkUntilThatIsDeletedToo()
    {
        PutInstance("orders", "a");
        Put(_keys.Drain("orders", "a:8080"), "1");

        _mirror.Delete(_keys.Instance("orders", "a:8080"));
        var withMark = _mirror.EndBatch(Start);
        _mirror.Delete(_keys.Drain("orders", "a:8080"));
        var without = _mirror.EndBatch(Start);

        withMark.Instances.ShouldBeEmpty();
        withMark.Draining.ShouldBe(["orders/a:8080"]);
        without.Draining.ShouldBeEmpty();
    }

    [Fact]
    public void EndBatch_LeasedInstanceDeletedWithoutARemovalMarker_ReportsItsLeaseRunningOut()
    {
        PutInstance("orders", "a", ttlSeconds: 10);
        _mirror.EndBatch(Start);
        PutInstance("orders", "a", weight: 3, ttlSeconds: 10, at: Start.AddSeconds(30));

        _mirror.Delete(_keys.Instance("orders", "a:8080"));
        _mirror.Delete(_keys.Drain("orders", "a:8080"));
        var snapshot = _mirror.EndBatch(Start.AddSeconds(45));

        snapshot.Instances.ShouldBeEmpty();
        snapshot.Expired.ShouldBe([new LeaseExpiry("orders", "a:8080", 10, TimeSpan.FromSeconds(45))], "counted from the first put");
        _mirror.EndBatch(Start.AddSeconds(46)).Expired.ShouldBeEmpty("an expiry is reported once");
    }

    [Fact]
    public void EndBatch_LeasedInstanceRemovedWithItsMarker_ReportsNoExpiry()
    {
        PutInstance("orders", "a", ttlSeconds: 10);
        var key = _keys.Instance("orders", "a:8080");

        _mirror.Delete(key);
        Put(_keys.RemovalOf(key), "1");
        var snapshot = _mirror.EndBatch(Start);

        snapshot.Instances.ShouldBeEmpty();
        snapshot.Expired.ShouldBeEmpty();
        _logger.Collector.Count.ShouldBe(0, "a removal marker is not an undecodable key");
    }

    [Fact]
    public void EndBatch_LeasedInstanceReRegisteredUnderAnotherSpelling_ReportsNoExpiry()
    {
        PutInstance("orders", "a", ttlSeconds: 10);

        _mirror.Delete(_keys.Instance("orders", "a:8080"));
        PutInstance("ORDERS", "A", ttlSeconds: 10);
        var snapshot = _mirror.EndBatch(Start);

        snapshot.Instances.ShouldHaveSingleItem().Service.ShouldBe("ORDERS");
        snapshot.Expired.ShouldBeEmpty();
    }

    [Fact]
    public void EndBatch_InstanceWithoutALeaseDeleted_ReportsNoExpiry()
    {
        PutInstance("orders", "a", ttlSeconds: null);

        _mirror.Delete(_keys.Instance("orders", "a:8080"));

        _mirror.EndBatch(Start).Expired.ShouldBeEmpty();
    }

    [Fact]
    public void Clear_ForgetsEverythingAndAnyBatchInProgress()
    {
        PutInstance("orders", "a", ttlSeconds: 10);
        _mirror.Delete(_keys.Instance("orders", "b:8080"));
        PutInstance("orders", "b", ttlSeconds: 10);
        _mirror.Delete(_keys.Instance("orders", "b:8080"));

        _mirror.Clear();
        var snapshot = _mirror.EndBatch(Start);

        snapshot.Instances.ShouldBeEmpty();
        snapshot.Expired.ShouldBeEmpty();
    }

    private void PutInstance(string service, string host, int weight = 1, int? ttlSeconds = null, DateTimeOffset? at = null)
    {
        var registration = new InstanceRegistration(service, host, TestInstances.Port, weight, "http", ttlSeconds);
        _mirror.Put(
            _keys.Instance(service, registration.Id),
            JsonSerializer.SerializeToUtf8Bytes(registration, EtcdRegistryMirror.Json),
            ++_revision,
            ttlSeconds is null ? 0 : Lease,
            at ?? Start);
    }

    private void Put(string key, string value) => _mirror.Put(key, Encoding.UTF8.GetBytes(value), ++_revision, 0, Start);
}
