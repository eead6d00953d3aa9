using Microsoft.Extensions.DependencyInjection;
using Acd.Grains.Infrastructure;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;

namespace Acd.Grains;

public static class AcdStorage
{
    /// <summary>The grain storage provider every Acd grain uses.</summary>
    public const string Name = "acd";

    /// <summary>In-memory grain storage for the default single-process run and tests (<see cref="InProcessGrainStorage"/>).</summary>
    public static ISiloBuilder AddAcdMemoryStorage(this ISiloBuilder silo)
    {
        silo.Services.AddGrainStorage(Name, (services, _) => new InProcessGrainStorage(services.GetRequiredService<DeepCopier>()));
        return silo;
    }
}
