using Gateway.Domain;

namespace Gateway.Api.Status;

/// <summary>A service as <c>GET /services</c> shows it.</summary>
public sealed record ServiceView(string Name, string LoadBalancer, string HealthCheckPath, IReadOnlyList<InstanceView> Instances)
{
    public static ServiceView From(Service service)
    {
        var instances = service.Instances;
        var views = new InstanceView[instances.Count];
        for (var i = 0; i < views.Length; i++)
        {
            views[i] = InstanceView.From(instances[i]);
        }

        return new(service.Name, service.LoadBalancer.Name, service.HealthCheckPath, views);
    }
}
