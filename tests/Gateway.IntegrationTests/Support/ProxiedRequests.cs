namespace Gateway.IntegrationTests.Support;

public static class ProxiedRequests
{
    /// <summary>What reached the backend through the gateway's proxy, the gateway's own health probes left out.</summary>
    public static IReadOnlyList<ReceivedRequest> Proxied(this TestBackend backend) => [.. backend.Received];
}
