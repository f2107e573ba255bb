using System.Reflection;
using NetArchTest.Rules;

namespace Gateway.UnitTests.Architecture;

/// <summary>Dependencies point inwards only: Api → Infrastructure → Application → Domain.</summary>
public sealed class LayerDependencyTests
{
    private static readonly Assembly Domain = typeof(Gateway.Domain.ServiceRegistry).Assembly;
    private static readonly Assembly Application = typeof(Gateway.Application.DependencyInjection).Assembly;

    [Fact]
    public void Domain_DependsOnNoOtherLayerAndNoFramework()
    {
        var result = Types.InAssembly(Domain).ShouldNot().HaveDependencyOnAny(
            "Gateway.Application", "Gateway.Infrastructure", "Gateway.Api",
            "Microsoft", "MediatR", "Polly", "Serilog", "System.Net.Http").GetResult();

        result.FailingTypeNames.ShouldBeNull();
    }

    [Fact]
    public void Domain_ReferencesOnlyTheBaseClassLibrary()
    {
        var references = Domain.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        references.ShouldAllBe(name => name.StartsWith("System.") || name == "System" || name == "netstandard");
    }

    [Fact]
    public void Application_DependsOnlyOnDomain()
    {
        var result = Types.InAssembly(Application).ShouldNot().HaveDependencyOnAny(
            "Gateway.Infrastructure", "Gateway.Api",
            "Microsoft.AspNetCore", "System.Net.Http", "Polly", "Serilog").GetResult();

        result.FailingTypeNames.ShouldBeNull();
    }

    [Fact]
    public void Application_ReferencesOnlyDomainMediatRAndExtensionsAbstractions()
    {
        var references = Application.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        references.ShouldAllBe(name =>
            name == "Gateway.Domain" || name == "MediatR" || name == "System" || name == "netstandard"
            || name.StartsWith("System.") || name.StartsWith("Microsoft.Extensions."));
        references.ShouldNotContain("System.Net.Http");
        references.ShouldNotContain(name => name.StartsWith("Microsoft.AspNetCore"));
    }
}
