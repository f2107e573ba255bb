using Grpc.Core;

namespace Gateway.Infrastructure.Registry;

/// <summary>The deadline every call to etcd gets, and how a failed call is described in the store's state and logs.</summary>
internal static class EtcdCalls
{
    /// <summary>How long one call to etcd may take before the store counts etcd as unreachable.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>A gRPC deadline: gRPC compares it with the wall clock, so it comes from the real UTC time.</summary>
    public static DateTime Deadline() => DateTime.UtcNow.Add(Timeout);

    public static string Describe(Exception error) => error switch
    {
        RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
        OperationCanceledException => $"no answer within {Timeout.TotalSeconds:0} s",
        _ => error.Message,
    };
}
