using System.Net.Http.Headers;
using Gateway.Application.Forwarding;
using Microsoft.Extensions.Primitives;

namespace Gateway.Infrastructure.Http;

/// <summary>An <see cref="HttpResponseMessage"/> read up to its headers, its body still on the connection.</summary>
internal sealed class HttpUpstreamResponse(
    HttpRequestMessage request,
    HttpResponseMessage response,
    UpstreamDeadline deadline,
    UpstreamPolicies policies,
    UpstreamRequest target) : IUpstreamResponse
{
    private Stream? _body;

    public int StatusCode => (int)response.StatusCode;

    // With ResponseHeadersRead the content is not buffered: this is the connection's stream.
    public Stream Body => _body ??= response.Content.ReadAsStream();

    public void BodyFailed(Exception failure) => policies.RecordFailure(target, failure);

    public ValueTask DisposeAsync()
    {
        // Disposing an unread body closes the connection rather than returning a half-read one to the pool.
        response.Dispose();
        request.Dispose();
        deadline.Dispose();
        return ValueTask.CompletedTask;
    }

    public void CopyHeaders<TTarget>(TTarget target, Action<TTarget, string, StringValues> add)
    {
        var connection = response.Headers.NonValidated.TryGetValues("Connection", out var named)
            ? ToStringValues(named)
            : StringValues.Empty;

        foreach (var header in response.Headers.NonValidated)
        {
            var values = ToStringValues(header.Value);
            if (!HopByHopHeaders.IsHopByHop(header.Key, values, connection))
            {
                add(target, header.Key, values);
            }
        }

        foreach (var header in response.Content.Headers.NonValidated)
        {
            add(target, header.Key, ToStringValues(header.Value));
        }
    }

    public void CopyTrailers<TTarget>(TTarget target, Action<TTarget, string, StringValues> add)
    {
        foreach (var trailer in response.TrailingHeaders.NonValidated)
        {
            add(target, trailer.Key, ToStringValues(trailer.Value));
        }
    }

    private static StringValues ToStringValues(HeaderStringValues values)
    {
        if (values.Count == 1)
        {
            return values.ToString();
        }

        var array = new string[values.Count];
        var i = 0;
        foreach (var value in values)
        {
            array[i++] = value;
        }

        return array;
    }
}
