using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Gateway.UnitTests.TestSupport;

namespace Gateway.UnitTests.Domain;

public sealed class ServiceTests
{
    [Fact]
    public void Instances_AsDefined_InDefinitionOrder()
    {
        var service = TestServices.Create(LoadBalancerNames.RoundRobin, [3, 1, 2]);

        var instances = service.Instances;

        TestInstances.Hosts(instances).ShouldBe("a b c");
        instances.Select(instance => instance.Weight).ShouldBe([3, 1, 2]);
    }

    [Fact]
    public void AvailableInstances_AllHealthy_AreAllInstancesInOrder()
    {
        var service = TestServices.Create(LoadBalancerNames.RoundRobin, 3);

        var available = service.AvailableInstances;

        available.ShouldBe(service.Instances);
    }

    [Fact]
    public void AvailableInstances_InstanceTakenOut_LeavesTheOthersInOrder()
    {
        var service = TestServices.Create(LoadBalancerNames.RoundRobin, 3);

        TestServices.TakeOut(service.Instances[1]);

        TestInstances.Hosts(service.AvailableInstances).ShouldBe("a c");
    }

    [Fact]
    public void AvailableInstances_InstanceFailsActiveChecks_LeavesItOut()
    {
        var service = TestServices.Create(LoadBalancerNames.RoundRobin, 2);
        var failed = new HealthCheckResult(TestServices.Now, Healthy: false, TimeSpan.FromSeconds(5), "timeout");

        service.Instances[0].RecordCheck(failed, HealthThresholds.Default);

        TestInstances.Hosts(service.AvailableInstances).ShouldBe("b");
    }

    [Fact]
    public void AvailableInstances_InstanceBack_ReturnsToItsPlace()
    {
        var service = TestServices.Create(LoadBalancerNames.RoundRobin, 3);
        TestServices.TakeOut(service.Instances[0]);
        TestServices.TakeOut(service.Instances[1]);

        TestServices.PutBack(service.Instances[0]);

        TestInstances.Hosts(service.AvailableInstances).ShouldBe("a c");
    }

    [Fact]
    public void PickInstance_ServiceWithoutInstances_ReturnsNull()
    {
        var service = new ServiceRegistry(new LoadBalancerFactory())
            .Upsert(TestServices.Define("orders", LoadBalancerNames.RoundRobin));

        var picked = service.PickInstance();

        picked.ShouldBeNull();
        service.AvailableInstances.ShouldBeEmpty();
    }

    [Fact]
    public void PickInstance_AllTakenOutThenOneBack_PicksIt()
    {
        var service = TestServices.Create(LoadBalancerNames.WeightedRoundRobin, [2, 1]);
        TestServices.TakeOut(service.Instances[0]);
        TestServices.TakeOut(service.Instances[1]);

        var whileNone = service.PickInstance();
        TestServices.PutBack(service.Instances[1]);
        var afterReturn = service.PickInstance();

        whileNone.ShouldBeNull();
        afterReturn.ShouldBeSameAs(service.Instances[1]);
    }

    [Fact]
    public void AvailableInstances_OneCircuitOpen_LeavesTheOthers()
    {
        var service = TestServices.Create(LoadBalancerNames.RoundRobin, 3);

        service.Instances[1].SetCircuit(CircuitState.Open);

        TestInstances.Hosts(service.AvailableInstances).ShouldBe("a c");
    }

    [Fact]
    public void AvailableInstances_OnlyOpenCircuitsLeft_AreThoseInstances()
    {
        var service = TestServices.Create(LoadBalancerNames.RoundRobin, 3);
        TestServices.TakeOut(service.Instances[0]);
        service.Instances[1].SetCircuit(CircuitState.Open);

        service.Instances[2].SetCircuit(CircuitState.Open);

        TestInstances.Hosts(service.AvailableInstances).ShouldBe("b c");
        service.RoutesOpenCircuits.ShouldBeTrue();
        service.PickInstance().ShouldNotBeNull().Circuit.ShouldBe(CircuitState.Open);
    }

    [Fact]
    public void AvailableInstances_HalfOpenTrialDuringPanic_KeepsTheOpenOnesInRotation()
    {
        var service = TestServices.Create(LoadBalancerNames.RoundRobin, 2);
        service.Instances[0].SetCircuit(CircuitState.Open);
        service.Instances[1].SetCircuit(CircuitState.Open);

        service.Instances[1].SetCircuit(CircuitState.HalfOpen);

        TestInstances.Hosts(service.AvailableInstances).ShouldBe("a b");
        service.RoutesOpenCircuits.ShouldBeTrue();
    }

    [Fact]
    public void AvailableInstances_CircuitClosesDuringPanic_EndsThePanic()
    {
        var service = TestServices.Create(LoadBalancerNames.RoundRobin, 2);
        service.Instances[0].SetCircuit(CircuitState.Open);
        service.Instances[1].SetCircuit(CircuitState.Open);
        service.Instances[1].SetCircuit(CircuitState.HalfOpen);

        service.Instances[1].SetCircuit(CircuitState.Closed);

        TestInstances.Hosts(service.AvailableInstances).ShouldBe("b");
        service.RoutesOpenCircuits.ShouldBeFalse();
    }

    [Fact]
    public void AvailableInstances_InstanceInPanicDrainedOrFailingItsCheck_LeavesIt()
    {
        var service = TestServices.Create(LoadBalancerNames.RoundRobin, 2);
        service.Instances[0].SetCircuit(CircuitState.Open);
        service.Instances[1].SetCircuit(CircuitState.Open);

        service.Instances[0].SetDraining(true);
        TestServices.TakeOut(service.Instances[1]);

        service.AvailableInstances.ShouldBeEmpty();
        service.RoutesOpenCircuits.ShouldBeFalse();
    }

    [Fact]
    public void AvailableInstances_InstanceWithOpenCircuitPassingItsCheckAgain_JoinsThePanic()
    {
        var service = TestServices.Create(LoadBalancerNames.RoundRobin, 1);
        TestServices.TakeOut(service.Instances[0]);
        service.Instances[0].SetCircuit(CircuitState.Open);

        TestServices.PutBack(service.Instances[0]);

        TestInstances.Hosts(service.AvailableInstances).ShouldBe("a");
        service.RoutesOpenCircuits.ShouldBeTrue();
    }

    [Fact]
    public void AvailableInstances_OpenCircuitOnAnUnhealthyOrDrainingInstance_IsNoPanic()
    {
        var service = TestServices.Create(LoadBalancerNames.RoundRobin, 2);
        TestServices.TakeOut(service.Instances[0]);
        service.Instances[1].SetDraining(true);

        service.Instances[0].SetCircuit(CircuitState.Open);
        service.Instances[1].SetCircuit(CircuitState.Open);

        service.AvailableInstances.ShouldBeEmpty();
        service.PickInstance().ShouldBeNull();
    }

    [Fact]
    public void FindInstance_IdInAnotherCase_FindsIt()
    {
        var service = new ServiceRegistry(new LoadBalancerFactory()).Upsert(TestServices.Define(
            "orders", LoadBalancerNames.RoundRobin, new InstanceDefinition("Orders-1.internal", 8001)));

        var found = service.FindInstance("orders-1.INTERNAL:8001");

        found.ShouldBeSameAs(service.Instances[0]);
    }

    [Fact]
    public void FindInstance_UnknownId_ReturnsNull()
    {
        var service = TestServices.Create(LoadBalancerNames.RoundRobin, 1);

        var found = service.FindInstance("a:9999");

        found.ShouldBeNull();
    }

    [Theory]
    [InlineData("", "/health")]
    [InlineData("/status", "/status")]
    [InlineData("/health/ready", "/health/ready")]
    public void HealthCheckPath_AsDefined_EmptyMeansHealth(string defined, string expected)
    {
        var service = new ServiceRegistry(new LoadBalancerFactory()).Upsert(
            new ServiceDefinition("orders", LoadBalancerNames.RoundRobin, defined, TestServices.Weighted(1)));

        var path = service.HealthCheckPath;

        path.ShouldBe(expected);
    }

    [Fact]
    public void LoadBalancer_DefinedByAlias_IsTheStrategyUnderItsCanonicalName()
    {
        var service = TestServices.Create("PowerOfTwoChoices", 2);

        var loadBalancer = service.LoadBalancer;

        loadBalancer.ShouldBeOfType<PowerOfTwoChoicesLoadBalancer>();
        loadBalancer.Name.ShouldBe(LoadBalancerNames.PowerOfTwoChoices);
    }

    [Fact]
    public void ToString_IsTheName()
    {
        var service = TestServices.Create(LoadBalancerNames.RoundRobin, 1);

        var text = service.ToString();

        text.ShouldBe("orders");
    }
}
