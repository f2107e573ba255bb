namespace Gateway.IntegrationTests.Support;

/// <summary>
/// The arrangement most proxying tests share: a gateway whose one service, <c>svc</c>, is one test backend, and a
/// client that sends what a test writes as it is written.
/// </summary>
public abstract class OneServiceGateway : IAsyncLifetime
{
    protected TestBackend Backend { get; private set; } = null!;

    protected GatewayFactory Gateway { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Backend = await TestBackend.StartAsync();
        Gateway = new GatewayFactory().WithService("svc", Backend);
        Client = Gateway.CreateRawClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Gateway.DisposeAsync();
        await Backend.DisposeAsync();
    }
}
