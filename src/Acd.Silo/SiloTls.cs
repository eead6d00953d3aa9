using System.Security.Cryptography.X509Certificates;
using Acd.Api.Security;
using Orleans.Connections.Security;

namespace Acd.Silo;

/// <summary>
/// TLS between Acd's nodes (<c>Orleans:Tls:CertificatePath</c>): every node presents the same cluster certificate and
/// accepts a connection only from a peer presenting exactly it, so a machine that reaches the silo port without the
/// certificate cannot call a grain. The certificate is a PKCS#12 file (<c>Orleans:Tls:CertificatePassword</c>) or a
/// PEM certificate with its key in <c>Orleans:Tls:KeyPath</c>; a self-signed one is enough, as it is pinned.
/// </summary>
public static class SiloTls
{
    public static void UseAcdTls(this ISiloBuilder silo, IConfiguration configuration)
    {
        if (Load(configuration) is not { } certificate)
        {
            return;
        }
        silo.UseTls(certificate, options =>
        {
            options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            // Nodes dial addresses, not names, and a self-signed certificate has no chain: the certificate itself is
            // pinned, byte for byte, both ways.
            options.RemoteCertificateValidation = (remote, _, _) => remote.RawData.AsSpan().SequenceEqual(certificate.RawData);
            options.OnAuthenticateAsClient = (_, ssl) => ssl.TargetHost = certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false);
        });
    }

    /// <summary>The cluster certificate, or null when none is configured; a file that cannot be read stops the start.</summary>
    public static X509Certificate2? Load(IConfiguration configuration)
    {
        var path = configuration["Orleans:Tls:CertificatePath"];
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }
        try
        {
            var certificate = configuration["Orleans:Tls:KeyPath"] is { Length: > 0 } key
                ? X509Certificate2.CreateFromPemFile(path, key)
                : X509CertificateLoader.LoadPkcs12FromFile(path, configuration["Orleans:Tls:CertificatePassword"]);
            if (!certificate.HasPrivateKey)
            {
                throw new AcdStartupException($"Orleans:Tls:CertificatePath {path} has no private key");
            }
            return certificate;
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException)
        {
            throw new AcdStartupException($"Orleans:Tls:CertificatePath {path} cannot be read: {e.Message}");
        }
    }
}
