using Gateway.Domain;

namespace Gateway.Api.Status;

/// <summary>A service as <c>GET /services</c> shows it.</summary>
/// <param name="Versions">The versions the instances run, in order; empty for a service without versions.</param>
/// <param name="Split">How requests that name no version are shared; null without a split.</param>
public sealed record ServiceView(
    string Name,
    string LoadBalancer,
    string HealthCheckPath,
    IReadOnlyList<InstanceView> Instances,
    IReadOnlyList<string> Versions,
    SplitView? Split)
{
    public static ServiceView From(Service service)
    {
        var instances = service.Instances;
        var views = new InstanceView[instances.Count];
        for (var i = 0; i < views.Length; i++)
        {
            views[i] = InstanceView.From(instances[i]);
        }

        var versions = service.Versions;
        return new(
            service.Name,
            service.LoadBalancer.Name,
            service.HealthCheckPath,
            views,
            versions?.Names ?? [],
            versions?.Split is { } split ? SplitView.From(split) : null);
    }
}
