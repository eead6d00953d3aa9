namespace Acd.Grains.Workspace;

/// <summary>Acd runs one workspace per cluster; its singleton grains share this key.</summary>
public static class RouterGrainKey
{
    public const string Default = "default";
}
