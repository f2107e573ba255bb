using Gateway.Domain;

namespace Gateway.Api.Status;

/// <summary>A service as <c>GET /services</c> shows it.</summary>
public sealed record ServiceView(string Name, string LoadBalancer, string HealthCheckPath, IReadOnlyList<InstanceView> Instances)
{
    public static ServiceView From(Service service) => new(
        service.Name,
        service.LoadBalancer.Name,
        service.HealthCheckPath,
        service.Instances.Select(InstanceView.From).ToList());
}
