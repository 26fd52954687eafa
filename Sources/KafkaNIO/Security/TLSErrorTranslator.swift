import NIOCore
import NIOSSL

/// Sits behind the `NIOSSLClientHandler` and turns TLS failures into
/// ``KafkaError/authenticationFailed(_:)`` with the setting to check, as the Java client reports
/// an `SslAuthenticationException`. Other errors pass through unchanged.
final class TLSErrorTranslator: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let broker: String
    private let host: String

    init(broker: String, host: String) {
        self.broker = broker
        self.host = host
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.fireErrorCaught(Self.translate(error, broker: self.broker, host: self.host) ?? error)
    }

    /// The Kafka error for a TLS failure, or nil if `error` is not one.
    static func translate(_ error: any Error, broker: String, host: String) -> KafkaError? {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return .authenticationFailed(
                "TLS with broker \(broker): its certificate is not valid for '\(host)' (hostname verification); "
                    + "connect with a name the certificate lists (bootstrap.servers, the broker's advertised "
                    + "listeners) or set ssl.endpoint.identification.algorithm= (empty) to skip hostname verification"
            )
        }
        let detail: String
        switch error {
        case NIOSSLError.handshakeFailed(let inner): detail = "\(inner)"
        case let inner as BoringSSLError: detail = "\(inner)"
        case let extra as NIOSSLExtraError: detail = "\(extra)"
        default: return nil
        }
        if detail.contains("CERTIFICATE_VERIFY_FAILED") {
            return .authenticationFailed(
                "TLS with broker \(broker): its certificate is not trusted (\(detail)); set ssl.truststore.location "
                    + "or ssl.truststore.certificates to the PEM of the CA that signed the broker's certificate"
            )
        }
        return .authenticationFailed(
            "TLS with broker \(broker) failed (\(detail)); if the broker requires a client certificate set "
                + "ssl.keystore.location (or ssl.keystore.certificate.chain and ssl.keystore.key); "
                + "check ssl.truststore.location and ssl.enabled.protocols"
        )
    }
}
