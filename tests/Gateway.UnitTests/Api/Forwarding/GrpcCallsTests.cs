using Gateway.Api.Forwarding;
using Microsoft.AspNetCore.Http;

namespace Gateway.UnitTests.Api.Forwarding;

public sealed class GrpcCallsTests
{
    [Theory]
    [InlineData(StatusCodes.Status404NotFound, "5")]
    [InlineData(StatusCodes.Status503ServiceUnavailable, "14")]
    [InlineData(StatusCodes.Status502BadGateway, "14")]
    [InlineData(StatusCodes.Status504GatewayTimeout, "4")]
    [InlineData(StatusCodes.Status413PayloadTooLarge, "8")]
    [InlineData(StatusCodes.Status400BadRequest, "13")]
    [InlineData(StatusCodes.Status500InternalServerError, "2")]
    public void StatusFor_GatewayStatus_IsTheContractsGrpcStatus(int httpStatus, string grpcStatus)
    {
        var status = GrpcCalls.StatusFor(httpStatus);

        status.ShouldBe(grpcStatus);
    }

    [Theory]
    [InlineData("No service is registered as 'x'.", "No service is registered as 'x'.")]
    [InlineData("100% down", "100%25 down")]
    [InlineData("caf\u00e9\nnext", "caf%C3%A9%0Anext")]
    public void PercentEncode_Message_EncodesPercentAndBytesOutsidePrintableAscii(string message, string expected)
    {
        var encoded = GrpcCalls.PercentEncode(message);

        encoded.ShouldBe(expected);
    }

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("Application/GRPC", true)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void IsCall_ContentType_TellsGrpcCallsApart(string? contentType, bool expected)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = contentType;

        var isCall = GrpcCalls.IsCall(context.Request);

        isCall.ShouldBe(expected);
    }

    [Fact]
    public void WriteStatus_Failure_IsATrailersOnlyResponse()
    {
        var context = new DefaultHttpContext();

        GrpcCalls.WriteStatus(context.Response, StatusCodes.Status503ServiceUnavailable, "Service 'a' has no healthy instance right now.");

        context.Response.StatusCode.ShouldBe(StatusCodes.Status200OK);
        context.Response.ContentType.ShouldBe("application/grpc");
        context.Response.Headers["grpc-status"].ToString().ShouldBe("14");
        context.Response.Headers["grpc-message"].ToString().ShouldBe("Service 'a' has no healthy instance right now.");
    }
}
