import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import NIOTLS

/// Sits behind the `NIOSSLClientHandler`: reports when the TLS handshake is done (the connection
/// sends nothing before), and turns TLS failures into ``KafkaError/authenticationFailed(_:)``
/// with the setting to check, as the Java client reports an `SslAuthenticationException`. Other
/// errors pass through unchanged.
final class TLSErrorTranslator: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let broker: String
    private let host: String
    private let timeout: TimeAmount
    private let handshake: EventLoopPromise<Void>
    private let failure: NIOLockedValueBox<KafkaError?>
    private var timeoutTask: Scheduled<Void>?
    private var receivedData = false

    /// `handshake` succeeds when the handshake completes and fails with the reason it did not;
    /// `failure` receives the first TLS failure, also one after the handshake (a rejected client
    /// certificate in TLS 1.3), for the connection to report instead of "channel closed".
    init(
        broker: String,
        host: String,
        timeout: TimeAmount,
        handshake: EventLoopPromise<Void>,
        failure: NIOLockedValueBox<KafkaError?>
    ) {
        self.broker = broker
        self.host = host
        self.timeout = timeout
        self.handshake = handshake
        self.failure = failure
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let broker = self.broker
        let timeout = self.timeout
        let handshake = self.handshake
        let channel = context.channel
        self.timeoutTask = context.eventLoop.scheduleTask(in: timeout) {
            handshake.fail(
                KafkaError.connectionFailed(
                    "\(broker): the TLS handshake did not complete within \(timeout.nanoseconds / 1_000_000) ms"
                )
            )
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.finish(
            .failure(KafkaError.connectionClosed("\(self.broker) closed the connection during the TLS handshake"))
        )
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event { self.finish(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.receivedData = true
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        var translated = Self.translate(error, broker: self.broker, host: self.host) ?? error
        if case NIOSSLError.uncleanShutdown = error, !self.receivedData {
            // A broker that rejects the client's certificate (or its absence) in TLS 1.3 does so
            // after the client considers the handshake done; some just close the connection.
            translated = KafkaError.authenticationFailed(
                "broker \(self.broker) closed the TLS connection before answering anything; if it requires a "
                    + "client certificate set ssl.keystore.location (or ssl.keystore.certificate.chain and "
                    + "ssl.keystore.key); check ssl.enabled.protocols"
            )
        }
        if let kafkaError = translated as? KafkaError {
            self.failure.withLockedValue { if $0 == nil { $0 = kafkaError } }
        }
        self.finish(.failure(translated))
        context.fireErrorCaught(translated)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.finish(
            .failure(
                KafkaError.connectionClosed(
                    "\(self.broker) closed the connection during the TLS handshake; check that it has a TLS "
                        + "listener on this port (security.protocol)"
                )
            )
        )
        context.fireChannelInactive()
    }

    private func finish(_ result: Result<Void, any Error>) {
        self.timeoutTask?.cancel()
        self.timeoutTask = nil
        // Completing an already completed promise is a no-op, so later errors change nothing here.
        self.handshake.completeWith(result)
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
