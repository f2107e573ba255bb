using Gateway.Application.Operations;
using Gateway.Application.Registration;
using Gateway.Domain;

namespace Gateway.Api.Dashboard;

/// <summary>What one <c>GET /dashboard/data</c> shows, gathered by the controller.</summary>
internal sealed record DashboardState(
    ServiceRegistry Registry,
    TrafficHistory Traffic,
    StoreState Store,
    ConfigurationStatus Configuration,
    bool AdminApi,
    DateTimeOffset Now);
