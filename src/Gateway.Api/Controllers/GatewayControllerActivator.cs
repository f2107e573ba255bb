using System.Collections.Concurrent;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Controllers;

namespace Gateway.Api.Controllers;

/// <summary>
/// Builds the catch-all controller from the application's services, and every other controller from the request's.
/// </summary>
/// <remarks>
/// The catch-all depends on singletons only. Taken from the request's services, it would open a service scope for
/// every proxied request (a scope and its dictionary, created on first use of <c>RequestServices</c> and disposed at
/// the request's end) for nothing. The other controllers are not on the hot path and keep MVC's usual activation.
/// </remarks>
internal sealed class GatewayControllerActivator(IServiceProvider services) : IControllerActivator
{
    private readonly ConcurrentDictionary<Type, ObjectFactory> _factories = new();

    public object Create(ControllerContext context)
    {
        var type = context.ActionDescriptor.ControllerTypeInfo.AsType();
        var factory = _factories.GetOrAdd(type, static type => ActivatorUtilities.CreateFactory(type, Type.EmptyTypes));
        return factory(type == typeof(GatewayController) ? services : context.HttpContext.RequestServices, arguments: null);
    }

    public void Release(ControllerContext context, object controller)
    {
        if (controller is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
