using Gateway.Domain;

namespace Gateway.Application.Registration;

/// <summary>Where run-time registrations live: in this process, or shared by every gateway replica.</summary>
/// <remarks>
/// Writes go to the store; reads come back as whole snapshots through <see cref="SnapshotChanged"/>, whichever
/// replica made the write, so that every replica applies every change the same way. Health is not stored: each
/// replica checks instances itself.
/// </remarks>
public interface IRegistrationStore
{
    StoreState State { get; }

    /// <summary>The latest snapshot published; empty until the store has loaded.</summary>
    RegistrySnapshot Current { get; }

    /// <summary>Raised with the new snapshot after every change, including leases running out.</summary>
    /// <remarks>
    /// A subscriber that throws is logged and passed over, in every store alike: the other subscribers still get the
    /// snapshot, and the change that raised it is not failed by it.
    /// </remarks>
    event Action<RegistrySnapshot>? SnapshotChanged;

    /// <summary>Loads the registrations and follows changes until cancelled, riding out outages of the store.</summary>
    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Registers an instance, or refreshes it (weight, scheme, lease) when its host and port are known.</summary>
    /// <exception cref="RegistrationStoreUnavailableException">The store cannot be reached.</exception>
    Task RegisterAsync(InstanceRegistration registration, CancellationToken cancellationToken);

    /// <summary>Renews an instance's lease.</summary>
    /// <returns>False when the instance is unknown or its lease has run out.</returns>
    Task<bool> RenewAsync(string service, string instanceId, CancellationToken cancellationToken);

    /// <summary>Removes a registered instance, and its drain mark.</summary>
    /// <returns>False when there was none.</returns>
    Task<bool> RemoveAsync(string service, string instanceId, CancellationToken cancellationToken);

    /// <summary>Marks an instance as draining, for every replica.</summary>
    Task MarkDrainingAsync(string service, string instanceId, CancellationToken cancellationToken);

    Task ConfigureServiceAsync(string service, ServiceSettings settings, CancellationToken cancellationToken);

    /// <summary>Sets a service's split across versions, for every replica, in place of the configured weights.</summary>
    Task SetSplitAsync(string service, IReadOnlyDictionary<string, int> weights, CancellationToken cancellationToken);

    /// <summary>Shares an operator's override of an instance with every replica; a timed one ends in the store too.</summary>
    Task SetOverrideAsync(string service, string instanceId, InstanceOverride decision, CancellationToken cancellationToken);

    /// <summary>Lifts an operator's override for every replica.</summary>
    /// <returns>False when there was none.</returns>
    Task<bool> LiftOverrideAsync(string service, string instanceId, CancellationToken cancellationToken);
}
