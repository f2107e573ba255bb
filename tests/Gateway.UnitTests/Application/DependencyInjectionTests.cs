using Gateway.Application;
using Gateway.Application.Behaviors;
using Gateway.Application.Forwarding;
using Gateway.Application.Health;
using Gateway.Application.Registration;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.UnitTests.Application;

public sealed class DependencyInjectionTests
{
    private readonly IServiceCollection _services = new ServiceCollection().AddGatewayApplication();

    [Fact]
    public void AddGatewayApplication_ForwardAndHealthCommands_HaveNoBehaviours()
    {
        var forward = BehavioursOf<ForwardRequestCommand, ForwardResult>();
        var health = BehavioursOf<CheckHealthCommand, CheckHealthResult>();

        forward.ShouldBeEmpty();
        health.ShouldBeEmpty();
    }

    [Fact]
    public void AddGatewayApplication_RegisterCommand_IsLoggedThenMappedThenValidated()
    {
        var behaviours = BehavioursOf<RegisterInstanceCommand, AdminResult<InstanceRegistration>>();

        behaviours.ShouldBe(
        [
            typeof(AdminCommandLoggingBehavior<RegisterInstanceCommand, InstanceRegistration>),
            typeof(StoreOutageBehavior<RegisterInstanceCommand, InstanceRegistration>),
            typeof(AdminCommandValidationBehavior<RegisterInstanceCommand, InstanceRegistration>),
        ]);
    }

    [Fact]
    public void AddGatewayApplication_CommandsWithoutInput_AreLoggedAndMappedOnly()
    {
        var renew = BehavioursOf<RenewInstanceCommand, AdminResult<Unit>>();
        var drain = BehavioursOf<DrainInstanceCommand, AdminResult<DrainingInstance>>();

        renew.ShouldBe([typeof(AdminCommandLoggingBehavior<RenewInstanceCommand, Unit>), typeof(StoreOutageBehavior<RenewInstanceCommand, Unit>)]);
        drain.Count.ShouldBe(2);
    }

    private List<Type?> BehavioursOf<TRequest, TResponse>() =>
        _services.Where(d => d.ServiceType == typeof(IPipelineBehavior<TRequest, TResponse>)).Select(d => d.ImplementationType).ToList();
}
