namespace Gateway.Application.Shaping;

/// <summary>How a client carries its affinity value back to the gateway.</summary>
public enum AffinityCarrier
{
    /// <summary>A cookie the gateway sets, which a browser sends back by itself.</summary>
    Cookie,

    /// <summary>A response header the client is expected to echo as a request header of the same name.</summary>
    Header,
}
