using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Forwarding;

/// <summary>A problem the gateway answers with: problem+json, or the gRPC status of the same failure to a gRPC call.</summary>
internal sealed class GatewayProblemResult(ProblemDetails problem) : ObjectResult(problem)
{
    public override Task ExecuteResultAsync(ActionContext context)
    {
        var http = context.HttpContext;
        if (!GrpcCalls.IsCall(http.Request))
        {
            return base.ExecuteResultAsync(context);
        }

        GrpcCalls.WriteStatus(http.Response, StatusCode ?? StatusCodes.Status500InternalServerError, problem.Detail);
        return Task.CompletedTask;
    }
}
