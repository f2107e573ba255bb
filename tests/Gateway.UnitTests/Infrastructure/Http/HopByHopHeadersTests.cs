using Gateway.Infrastructure.Http;
using Microsoft.Extensions.Primitives;

namespace Gateway.UnitTests.Infrastructure.Http;

public sealed class HopByHopHeadersTests
{
    [Theory]
    [InlineData("Connection", "close", "", true)]
    [InlineData("keep-alive", "timeout=5", "", true)]
    [InlineData("Proxy-Connection", "keep-alive", "", true)]
    [InlineData("Transfer-Encoding", "chunked", "", true)]
    [InlineData("Upgrade", "websocket", "", true)]
    [InlineData("Trailer", "Expires", "", true)]
    [InlineData("TE", "gzip", "", true)]
    [InlineData("TE", "trailers", "", false)]
    [InlineData("te", "Trailers", "", false)]
    [InlineData("X-Secret-Hop", "1", "close, x-secret-hop", true)]
    [InlineData("X-Secret-Hop", "1", " X-Secret-Hop ", true)]
    [InlineData("X-Secret-Hop-2", "1", "X-Secret-Hop", false)]
    [InlineData("Accept", "*/*", "", false)]
    [InlineData("Authorization", "Bearer x", "keep-alive", false)]
    public void IsHopByHop_Header_StaysBehindOnlyWhenItDescribesTheConnection(string name, string value, string connection, bool hopByHop)
    {
        var connectionValues = connection.Length == 0 ? StringValues.Empty : new StringValues(connection);

        var result = HopByHopHeaders.IsHopByHop(name, value, connectionValues);

        result.ShouldBe(hopByHop);
    }

    [Fact]
    public void IsHopByHop_TeWithTrailersAndMore_StaysBehind()
    {
        var result = HopByHopHeaders.IsHopByHop("TE", new StringValues(["trailers", "gzip"]), StringValues.Empty);

        result.ShouldBeTrue();
    }
}
