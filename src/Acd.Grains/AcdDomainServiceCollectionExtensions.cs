using Acd.Grains.Router;
using Acd.Grains.Abstractions;
using Acd.Grains.Telephony;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Acd.Grains;

public static class AcdDomainServiceCollectionExtensions
{
    /// <summary>
    /// The domain's services: options, the clock, and in-memory telephony unless another <see cref="ITelephony"/>
    /// (the Twilio adapter) is registered first. Storage providers named <c>acd</c> are the host's to add.
    /// </summary>
    public static IServiceCollection AddAcdDomain(this IServiceCollection services)
    {
        services.AddOptions<AcdOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Schedules.HolidayCalendar>(_ => new Schedules.HolidayCalendar());
        services.TryAddSingleton<InMemoryTelephony>();
        services.TryAddSingleton<ITelephony>(sp => sp.GetRequiredService<InMemoryTelephony>());
        services.TryAddSingleton<Events.IEventLog, Events.InMemoryEventLog>();
        services.TryAddSingleton<Queues.IWaitingCallStore, Queues.InMemoryWaitingCallStore>();
        services.TryAddSingleton<Calls.IUnsettledCallStore, Calls.InMemoryUnsettledCallStore>();
        services.AddSingleton<RouterKeeper>();
        services.AddSingleton<IIncomingGrainCallFilter, Infrastructure.ResetOnFailureFilter>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RouterKeeper>());
        return services;
    }
}
