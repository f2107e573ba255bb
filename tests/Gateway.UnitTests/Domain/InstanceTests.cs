using Gateway.Domain;
using Gateway.UnitTests.TestSupport;

namespace Gateway.UnitTests.Domain;

public sealed class InstanceTests
{
    private static readonly HealthThresholds ThreeDownTwoUp = new(unhealthyThreshold: 3, healthyThreshold: 2);

    [Fact]
    public void Constructor_Defaults_HttpWeightOneHealthyIdle()
    {
        var instance = new Instance("localhost", 8001);

        instance.Host.ShouldBe("localhost");
        instance.Port.ShouldBe(8001);
        instance.Scheme.ShouldBe("http");
        instance.Weight.ShouldBe(1);
        instance.Health.ShouldBe(InstanceHealth.Initial);
        instance.Health.IsHealthy.ShouldBeTrue();
        instance.IsAvailable.ShouldBeTrue();
        instance.ActiveRequests.ShouldBe(0);
    }

    [Fact]
    public void Constructor_HostAndPort_IdAuthorityAndBaseAddress()
    {
        var instance = new Instance("localhost", 8001);

        instance.Id.ShouldBe("localhost:8001");
        instance.Authority.ShouldBe("localhost:8001");
        instance.Origin.ShouldBe("http://localhost:8001");
        instance.BaseAddress.ShouldBe(new Uri("http://localhost:8001/"));
        instance.ToString().ShouldBe("localhost:8001");
    }

    [Fact]
    public void Constructor_Https_BaseAddressUsesIt()
    {
        var instance = new Instance("api.example.com", 8443, scheme: "https");

        instance.Scheme.ShouldBe("https");
        instance.BaseAddress.AbsoluteUri.ShouldBe("https://api.example.com:8443/");
    }

    [Fact]
    public void Constructor_SchemeInUpperCase_IsNormalised()
    {
        var instance = new Instance("localhost", 8001, scheme: "HTTPS");

        instance.Scheme.ShouldBe("https");
    }

    [Fact]
    public void Constructor_BareIpv6Literal_AuthorityAndBaseAddressBracketIt()
    {
        var instance = new Instance("::1", 8080);

        instance.Id.ShouldBe("::1:8080");
        instance.Authority.ShouldBe("[::1]:8080");
        instance.Origin.ShouldBe("http://[::1]:8080");
        instance.BaseAddress.AbsoluteUri.ShouldBe("http://[::1]:8080/");
        instance.BaseAddress.Port.ShouldBe(8080);
    }

    [Fact]
    public void Constructor_BracketedIpv6Literal_IsNotBracketedTwice()
    {
        var instance = new Instance("[fe80::1]", 9000);

        instance.Authority.ShouldBe("[fe80::1]:9000");
        instance.BaseAddress.AbsoluteUri.ShouldBe("http://[fe80::1]:9000/");
    }

    [Fact]
    public void Constructor_Ipv4Address_IsUsedAsIs()
    {
        var instance = new Instance("10.0.0.7", 80);

        instance.Authority.ShouldBe("10.0.0.7:80");
        instance.BaseAddress.Host.ShouldBe("10.0.0.7");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(65535)]
    public void Constructor_PortAtTheEdgeOfTheRange_IsAccepted(int port)
    {
        var instance = new Instance("localhost", port);

        instance.Port.ShouldBe(port);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    [InlineData(-1)]
    public void Constructor_PortOutOfRange_ThrowsNamingThePort(int port)
    {
        var create = () => new Instance("localhost", port);

        var exception = create.ShouldThrow<ArgumentOutOfRangeException>();
        exception.ParamName.ShouldBe("port");
        exception.Message.ShouldContain($"Port {port} is outside 1-65535");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Constructor_WeightBelowOne_ThrowsNamingTheWeight(int weight)
    {
        var create = () => new Instance("localhost", 8001, weight);

        var exception = create.ShouldThrow<ArgumentOutOfRangeException>();
        exception.ParamName.ShouldBe("weight");
        exception.Message.ShouldContain($"Weight {weight} is below 1");
    }

    [Theory]
    [InlineData("ftp")]
    [InlineData("ws")]
    [InlineData("")]
    [InlineData("http://")]
    public void Constructor_UnknownScheme_ThrowsNamingTheScheme(string scheme)
    {
        var create = () => new Instance("localhost", 8001, scheme: scheme);

        var exception = create.ShouldThrow<ArgumentException>();
        exception.ParamName.ShouldBe("scheme");
        exception.Message.ShouldContain($"Scheme '{scheme}' is not http, https or h2c");
    }

    [Fact]
    public void Constructor_H2c_KeepsTheSchemeAndAddressesTheInstanceOverHttp()
    {
        var instance = new Instance("localhost", 8001, scheme: "H2C");

        instance.Scheme.ShouldBe("h2c");
        instance.IsH2c.ShouldBeTrue();
        instance.Origin.ShouldBe("http://localhost:8001");
    }

    [Fact]
    public void Constructor_NullScheme_Throws()
    {
        var create = () => new Instance("localhost", 8001, scheme: null!);

        create.ShouldThrow<ArgumentException>().ParamName.ShouldBe("scheme");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("local host")]
    [InlineData("localhost/api")]
    [InlineData("http://localhost")]
    [InlineData("localhost?x=1")]
    [InlineData("localhost#top")]
    [InlineData("user@localhost")]
    [InlineData("localhost:8001")] // the port belongs in Port
    [InlineData("[::1")]
    [InlineData("[localhost]")]
    [InlineData("local%host")]
    public void Constructor_NotAHost_ThrowsArgumentExceptionNamingTheHost(string host)
    {
        var create = () => new Instance(host, 8001);

        var exception = create.ShouldThrow<ArgumentException>();
        exception.ParamName.ShouldBe("host");
        exception.Message.ShouldContain($"Host '{host}' is not a host name or address");
    }

    [Fact]
    public void Constructor_NullHost_ThrowsArgumentException()
    {
        var create = () => new Instance(null!, 8001);

        create.ShouldThrow<ArgumentException>().ParamName.ShouldBe("host");
    }

    [Fact]
    public void BeginRequestAndEndRequest_Paired_CountRequestsInFlight()
    {
        var instance = new Instance("localhost", 8001);

        instance.BeginRequest();
        instance.BeginRequest();
        var during = instance.ActiveRequests;
        instance.EndRequest();
        instance.EndRequest();

        during.ShouldBe(2);
        instance.ActiveRequests.ShouldBe(0);
    }

    [Fact]
    public void RecordCheck_FailuresBelowTheUnhealthyThreshold_StaysHealthy()
    {
        var instance = new Instance("localhost", 8001);

        var first = instance.RecordCheck(Failed("503"), ThreeDownTwoUp);
        var second = instance.RecordCheck(Failed("503"), ThreeDownTwoUp);

        first.ShouldBeFalse();
        second.ShouldBeFalse();
        instance.Health.IsHealthy.ShouldBeTrue();
        instance.Health.ConsecutiveFailures.ShouldBe(2);
        instance.IsAvailable.ShouldBeTrue();
    }

    [Fact]
    public void RecordCheck_ThirdFailureWithThresholdThree_TurnsUnhealthyAndReportsTheChange()
    {
        var instance = new Instance("localhost", 8001);
        instance.RecordCheck(Failed("503", 1), ThreeDownTwoUp);
        instance.RecordCheck(Failed("503", 2), ThreeDownTwoUp);

        var changed = instance.RecordCheck(Failed("timeout", 3), ThreeDownTwoUp);

        changed.ShouldBeTrue();
        instance.IsAvailable.ShouldBeFalse();
        instance.Health.IsHealthy.ShouldBeFalse();
        instance.Health.Source.ShouldBe(HealthSource.Active);
        instance.Health.Cause.ShouldBe("timeout");
        instance.Health.Since.ShouldBe(At(3));
        instance.Health.LastCheck.ShouldNotBeNull().At.ShouldBe(At(3));
    }

    [Fact]
    public void RecordCheck_FurtherFailureWhileUnhealthy_ReportsNoChange()
    {
        var instance = new Instance("localhost", 8001);
        for (var i = 1; i <= 3; i++)
        {
            instance.RecordCheck(Failed("503", i), ThreeDownTwoUp);
        }

        var changed = instance.RecordCheck(Failed("503", 4), ThreeDownTwoUp);

        changed.ShouldBeFalse();
        instance.Health.IsHealthy.ShouldBeFalse();
        instance.Health.Since.ShouldBe(At(3));
        instance.Health.ConsecutiveFailures.ShouldBe(4);
    }

    [Fact]
    public void RecordCheck_PassBetweenFailures_StartsTheCountAgain()
    {
        var instance = new Instance("localhost", 8001);
        instance.RecordCheck(Failed("503"), ThreeDownTwoUp);
        instance.RecordCheck(Failed("503"), ThreeDownTwoUp);
        instance.RecordCheck(Passed(), ThreeDownTwoUp);

        var changes = new[]
        {
            instance.RecordCheck(Failed("503"), ThreeDownTwoUp),
            instance.RecordCheck(Failed("503"), ThreeDownTwoUp),
        };

        changes.ShouldAllBe(changed => !changed);
        instance.Health.IsHealthy.ShouldBeTrue();
    }

    [Fact]
    public void RecordCheck_OnePassWhileUnhealthyWithThresholdTwo_StaysUnhealthy()
    {
        var instance = UnhealthyAfterChecks();

        var changed = instance.RecordCheck(Passed(10), ThreeDownTwoUp);

        changed.ShouldBeFalse();
        instance.Health.IsHealthy.ShouldBeFalse();
        instance.Health.ConsecutiveSuccesses.ShouldBe(1);
        instance.IsAvailable.ShouldBeFalse();
    }

    [Fact]
    public void RecordCheck_SecondPassWhileUnhealthyWithThresholdTwo_TurnsHealthyAndReportsTheChange()
    {
        var instance = UnhealthyAfterChecks();
        instance.RecordCheck(Passed(10), ThreeDownTwoUp);

        var changed = instance.RecordCheck(Passed(11), ThreeDownTwoUp);

        changed.ShouldBeTrue();
        instance.IsAvailable.ShouldBeTrue();
        instance.Health.IsHealthy.ShouldBeTrue();
        instance.Health.Since.ShouldBe(At(11));
        instance.Health.Source.ShouldBeNull();
        instance.Health.Cause.ShouldBeNull();
    }

    [Fact]
    public void RecordCheck_FailureBetweenPassesWhileUnhealthy_StartsTheCountAgain()
    {
        var instance = UnhealthyAfterChecks();
        instance.RecordCheck(Passed(), ThreeDownTwoUp);
        instance.RecordCheck(Failed("503"), ThreeDownTwoUp);

        var changed = instance.RecordCheck(Passed(), ThreeDownTwoUp);

        changed.ShouldBeFalse();
        instance.Health.IsHealthy.ShouldBeFalse();
    }

    [Fact]
    public void RecordCheck_PassWhileHealthy_ReportsNoChange()
    {
        var instance = new Instance("localhost", 8001);

        var changed = instance.RecordCheck(Passed(1), ThreeDownTwoUp);

        changed.ShouldBeFalse();
        instance.Health.IsHealthy.ShouldBeTrue();
        instance.Health.Since.ShouldBeNull();
        instance.Health.LastCheck.ShouldNotBeNull().At.ShouldBe(At(1));
    }

    [Fact]
    public void RecordCheck_DefaultThresholds_OneFailureTakesItOutAndOnePassBringsItBack()
    {
        var instance = new Instance("localhost", 8001);

        var tookOut = instance.RecordCheck(Failed("refused"), HealthThresholds.Default);
        var back = instance.RecordCheck(Passed(), HealthThresholds.Default);

        tookOut.ShouldBeTrue();
        back.ShouldBeTrue();
        instance.IsAvailable.ShouldBeTrue();
    }

    [Fact]
    public void RecordCheck_NullResult_Throws()
    {
        var instance = new Instance("localhost", 8001);

        Action record = () => instance.RecordCheck(null!, HealthThresholds.Default);

        record.ShouldThrow<ArgumentNullException>();
    }

    [Fact]
    public void SetHealth_Unhealthy_TakesItOutWithSourceAndCause()
    {
        var instance = new Instance("localhost", 8001);

        var changed = instance.SetHealth(false, At(5), HealthSource.Passive, "connection refused");

        changed.ShouldBeTrue();
        instance.IsAvailable.ShouldBeFalse();
        instance.Health.IsHealthy.ShouldBeFalse();
        instance.Health.Since.ShouldBe(At(5));
        instance.Health.Source.ShouldBe(HealthSource.Passive);
        instance.Health.Cause.ShouldBe("connection refused");
    }

    [Fact]
    public void SetHealth_SameHealthAgain_ReportsNoChange()
    {
        var instance = new Instance("localhost", 8001);
        instance.SetHealth(false, At(5), HealthSource.Passive, "first");

        var changed = instance.SetHealth(false, At(6), HealthSource.Passive, "second");

        changed.ShouldBeFalse();
        instance.Health.Since.ShouldBe(At(5));
        instance.Health.Cause.ShouldBe("first");
    }

    [Fact]
    public void SetHealth_HealthyAfterPassiveOutage_ClearsSourceAndCause()
    {
        var instance = new Instance("localhost", 8001);
        instance.SetHealth(false, At(5), HealthSource.Passive, "connection refused");

        var changed = instance.SetHealth(true, At(6), HealthSource.Passive);

        changed.ShouldBeTrue();
        instance.IsAvailable.ShouldBeTrue();
        instance.Health.Source.ShouldBeNull();
        instance.Health.Cause.ShouldBeNull();
        instance.Health.Since.ShouldBe(At(6));
    }

    [Fact]
    public void SetHealth_Unhealthy_ResetsTheCheckCounts()
    {
        var instance = new Instance("localhost", 8001);
        instance.RecordCheck(Failed("503"), ThreeDownTwoUp);
        instance.RecordCheck(Failed("503"), ThreeDownTwoUp);

        instance.SetHealth(false, At(5), HealthSource.Passive);

        instance.Health.ConsecutiveFailures.ShouldBe(0);
        instance.Health.ConsecutiveSuccesses.ShouldBe(0);
    }

    [Fact]
    public void RecordCheck_TwoPassesAfterPassiveOutage_BringItBack()
    {
        var instance = new Instance("localhost", 8001);
        instance.SetHealth(false, At(5), HealthSource.Passive, "connection refused");

        var first = instance.RecordCheck(Passed(6), ThreeDownTwoUp);
        var second = instance.RecordCheck(Passed(7), ThreeDownTwoUp);

        first.ShouldBeFalse();
        second.ShouldBeTrue();
        instance.IsAvailable.ShouldBeTrue();
    }

    private static Instance UnhealthyAfterChecks()
    {
        var instance = new Instance("localhost", 8001);
        for (var i = 1; i <= ThreeDownTwoUp.UnhealthyThreshold; i++)
        {
            instance.RecordCheck(Failed("503", i), ThreeDownTwoUp);
        }

        instance.Health.IsHealthy.ShouldBeFalse();
        return instance;
    }

    private static DateTimeOffset At(int second) => TestServices.Now.AddSeconds(second);

    private static HealthCheckResult Failed(string error, int second = 0) =>
        new(At(second), Healthy: false, TimeSpan.FromMilliseconds(20), error);

    private static HealthCheckResult Passed(int second = 0) =>
        new(At(second), Healthy: true, TimeSpan.FromMilliseconds(3));

    [Fact]
    public void Retire_CancelsTheTokenHandedOutBefore_AndHandsOutAFreshOneAfter()
    {
        var instance = new Instance("a", 8080);
        var before = instance.Retirement;

        instance.Retire();

        before.IsCancellationRequested.ShouldBeTrue();
        instance.Retirement.IsCancellationRequested.ShouldBeFalse();
        instance.Retirement.ShouldBe(instance.Retirement);
    }
}
