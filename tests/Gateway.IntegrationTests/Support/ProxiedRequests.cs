namespace Gateway.IntegrationTests.Support;

/// <summary>What went through the gateway: what reached a backend, and which backend answered.</summary>
public static class ProxiedRequests
{
    /// <summary>What reached the backend through the gateway's proxy, the gateway's own health probes left out.</summary>
    public static IReadOnlyList<ReceivedRequest> Proxied(this TestBackend backend) => [.. backend.Received];

    /// <summary>The backend that answered a GET of the path (its X-Backend header), or null when the gateway answered itself.</summary>
    public static async Task<string?> AnsweredByAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return BackendOf(response);
    }

    /// <summary>Sends <paramref name="count"/> GETs of the path one after another; which backend answered each, in order.</summary>
    public static async Task<List<string?>> AnsweredByAsync(this HttpClient client, string path, int count)
    {
        var answeredBy = new List<string?>(count);
        for (var i = 0; i < count; i++)
        {
            answeredBy.Add(await client.AnsweredByAsync(path));
        }

        return answeredBy;
    }

    /// <summary>The same, each answer as its status and backend, e.g. <c>500 a</c>.</summary>
    public static async Task<List<string>> AnswersAsync(this HttpClient client, string path, int count)
    {
        var answers = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync(path);
            answers.Add($"{(int)response.StatusCode} {BackendOf(response) ?? "gateway"}");
        }

        return answers;
    }

    /// <summary>
    /// Makes the backend hold proxied requests for <c>/held</c> until the returned source is completed (or the
    /// client goes away); every other path is answered as usual.
    /// </summary>
    public static TaskCompletionSource HoldRequests(this TestBackend backend)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        backend.Handler = async context =>
        {
            if (context.Request.Path == "/held")
            {
                await release.Task.WaitAsync(context.RequestAborted);
            }

            await TestBackend.DefaultHandler(context);
        };
        return release;
    }

    private static string? BackendOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Backend", out var backend) ? backend.Single() : null;
}
