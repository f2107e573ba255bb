namespace Gateway.Application.Registration;

/// <summary>The gateway's own listen address: an instance there would send every request back into the gateway.</summary>
public interface IGatewayAddress
{
    bool IsGateway(string host, int port);
}
