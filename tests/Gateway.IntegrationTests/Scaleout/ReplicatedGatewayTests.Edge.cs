using System.Net;
using System.Security.Cryptography;
using Gateway.IntegrationTests.Support;

namespace Gateway.IntegrationTests.Scaleout;

/// <summary>Edge policies set through one replica's admin API are in force on the other.</summary>
public sealed partial class ReplicatedGatewayTests
{
    [Fact]
    public async Task EdgePolicies_SetThroughReplicaA_AreEnforcedByReplicaB_AndTakenAwayThroughB()
    {
        await using var backend = await TestBackend.StartAsync("x");
        await using var replicas = await Replicas.StartAsync(shared.Etcd.ClientUrl, UniquePrefix());
        await RegisteredAsync(replicas.A, "orders", backend);
        await UntilRoutedAsync(replicas.B, "orders", backend);
        var hash = Convert.ToHexStringLower(SHA256.HashData("replicated-key"u8));

        using (var configured = await AdminAsync(replicas.A, HttpMethod.Put, "/admin/services/orders", new
        {
            auth = new { type = "api_key", keys = new[] { new { name = "batch", sha256 = hash } } },
            rateLimit = new { permitsPerSecond = 1000, burst = 1000, partitionBy = "api_key" },
        }))
        {
            configured.StatusCode.ShouldBe(HttpStatusCode.OK, await configured.Content.ReadAsStringAsync());
        }

        await Eventually.TrueAsync(
            async () => await StatusAsync(replicas.B, key: null) == HttpStatusCode.Unauthorized,
            Deadline,
            "replica B to ask for the API key");
        var calls = backend.Proxied().Count;
        (await StatusAsync(replicas.B, "wrong-key")).ShouldBe(HttpStatusCode.Unauthorized);
        backend.Proxied().Count.ShouldBe(calls);
        using (var request = KeyedRequest("replicated-key"))
        {
            using var admitted = await replicas.B.Client.SendAsync(request);
            admitted.StatusCode.ShouldBe(HttpStatusCode.OK);
            admitted.Headers.GetValues("RateLimit-Policy").ShouldBe(["\"default\";q=1000;w=1"]);
        }

        backend.Proxied()[^1].Headers["X-Api-Key-Name"].ShouldBe(["batch"]);

        using (var cleared = await AdminAsync(replicas.B, HttpMethod.Put, "/admin/services/orders", new { loadBalancer = "round_robin" }))
        {
            cleared.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await Eventually.TrueAsync(
            async () => await StatusAsync(replicas.A, key: null) == HttpStatusCode.OK,
            Deadline,
            "replica A to let requests through without a key again");
    }

    private static async Task<HttpStatusCode> StatusAsync(Replica replica, string? key)
    {
        using var request = KeyedRequest(key);
        using var response = await replica.Client.SendAsync(request);
        return response.StatusCode;
    }

    private static HttpRequestMessage KeyedRequest(string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/orders/item");
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        return request;
    }
}
