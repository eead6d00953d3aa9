using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Acd.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Acd.Api.Tests;

/// <summary>Nothing but Acd's own nodes may talk Orleans to a node: no gateway, and TLS with a pinned certificate when one is set.</summary>
public sealed class ClusterLockdownTests
{
    [Fact]
    public async Task ANodeOpensNoOrleansGateway()
    {
        // Acd's web host runs in the silo; a gateway would let anyone who reaches it call grains around the role checks.
        await using var app = new AcdAppFactory();
        app.CreateClient();
        var endpoints = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        Assert.Equal(0, endpoints.GatewayPort);
        Assert.Null(endpoints.GatewayListeningEndpoint);
    }

    [Fact]
    public async Task WithAClusterCertificateTheSiloPortTakesOnlyAPeerPresentingIt()
    {
        using var cluster = SelfSigned("acd-cluster");
        using var intruder = SelfSigned("acd-cluster");
        var pfx = Path.Combine(Path.GetTempPath(), $"acd-cluster-{Guid.NewGuid():N}.pfx");
        await File.WriteAllBytesAsync(pfx, cluster.Export(X509ContentType.Pkcs12, "secret"), TestContext.Current.CancellationToken);
        try
        {
            var siloPort = AcdAppFactory.FreePort();
            await using var node = SiloProcess.Start(new Dictionary<string, string>
            {
                ["Orleans__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
                ["Orleans__Tls__CertificatePath"] = pfx,
                ["Orleans__Tls__CertificatePassword"] = "secret",
            });
            await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));

            Assert.True(await KeptOpenAsync(siloPort, cluster, cluster), "a peer with the cluster certificate is let in");
            Assert.False(await KeptOpenAsync(siloPort, intruder, cluster), "a certificate of the same name but not the cluster's is refused");
            Assert.False(await KeptOpenAsync(siloPort, null, cluster), "a peer without a certificate is refused");
        }
        finally
        {
            File.Delete(pfx);
        }
    }

    [Fact]
    public async Task AClusterCertificateThatCannotBeReadStopsTheStart()
    {
        var bad = Path.Combine(Path.GetTempPath(), $"acd-bad-{Guid.NewGuid():N}.pfx");
        await File.WriteAllTextAsync(bad, "not a certificate", TestContext.Current.CancellationToken);
        try
        {
            await using var node = SiloProcess.Start(new Dictionary<string, string> { ["Orleans__Tls__CertificatePath"] = bad });
            Assert.Equal(1, await node.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("Orleans:Tls:CertificatePath", node.Output);
        }
        finally
        {
            File.Delete(bad);
        }
    }

    private static X509Certificate2 SelfSigned(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// A TLS handshake to the silo port with <paramref name="certificate"/>: true when the node keeps the connection open
    /// (it waits for Orleans' greeting), false when it refuses or drops it.
    /// </summary>
    private static async Task<bool> KeptOpenAsync(int port, X509Certificate2? certificate, X509Certificate2 node)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        // The node presents the cluster certificate: that one, pinned, is the only server accepted here.
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, presented, _, _) => presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(node.RawData));
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "acd-cluster",
                ClientCertificates = certificate is null ? null : [certificate],
            });
            // With TLS 1.3 the node judges the client's certificate after the client thinks it is done: a refusal shows
            // as the connection closing. An accepted peer is waited on for its greeting.
            var read = await tls.ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(2));
            return read > 0;
        }
        catch (TimeoutException)
        {
            return true;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return false;
        }
    }
}
