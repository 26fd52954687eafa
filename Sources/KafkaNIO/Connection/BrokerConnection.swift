import KafkaProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A host and port of a Kafka broker.
public struct KafkaBrokerAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (`[v6addr]:port` for IPv6).
    public init?(_ string: Substring) {
        let trimmed = string.trimmingSpaces()
        guard let colon = trimmed.lastIndex(of: ":"),
            let port = Int(trimmed[trimmed.index(after: colon)...]), (1...65535).contains(port)
        else { return nil }
        var host = String(trimmed[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// One TCP connection to one broker, with ApiVersions negotiated.
///
/// Requests are encoded on the caller's task and written at once; any number may be in flight
/// and responses are matched by correlation id.
public final class BrokerConnection: Sendable {
    public let address: KafkaBrokerAddress
    /// The broker's node id, or a negative placeholder for a bootstrap connection.
    public let nodeID: Int32
    public let apiVersions: ApiVersionsTable
    let channel: any Channel
    private let writer: RequestWriter

    private init(address: KafkaBrokerAddress, nodeID: Int32, writer: RequestWriter, apiVersions: ApiVersionsTable) {
        self.address = address
        self.nodeID = nodeID
        self.channel = writer.channel
        self.writer = writer
        self.apiVersions = apiVersions
    }

    /// Opens a connection: TCP, the TLS handshake (SSL, SASL_SSL), ApiVersions negotiation, then
    /// SASL authentication (SASL_PLAINTEXT, SASL_SSL).
    public static func connect(
        to address: KafkaBrokerAddress,
        nodeID: Int32,
        configuration: KafkaClientConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> BrokerConnection {
        let maximumFrameSize = configuration.maximumResponseSize
        let sasl = try Self.saslSettings(configuration)
        let tls = try Self.tlsHandlerFactory(configuration, address: address)
        let handshakeTimeout = TimeAmount.milliseconds(Int64(configuration.requestTimeoutMs))
        let tlsHandshake = NIOLockedValueBox<EventLoopFuture<Void>?>(nil)
        let tlsFailure = NIOLockedValueBox<KafkaError?>(nil)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(.milliseconds(Int64(configuration.socketConnectionSetupTimeoutMs)))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            let handshake = channel.eventLoop.makePromise(of: Void.self)
                            tlsHandshake.withLockedValue { $0 = handshake.futureResult }
                            try channel.pipeline.syncOperations.addHandler(try tls())
                            try channel.pipeline.syncOperations.addHandler(
                                TLSErrorTranslator(
                                    broker: address.description,
                                    host: address.host,
                                    timeout: handshakeTimeout,
                                    handshake: handshake,
                                    failure: tlsFailure
                                )
                            )
                        }
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(KafkaFrameDecoder(maximumFrameSize: maximumFrameSize))
                        )
                        try channel.pipeline.syncOperations.addHandler(
                            BrokerChannelHandler(peer: address.description)
                        )
                    }
                }
                .connect(host: address.host, port: address.port)
                .get()
        } catch {
            throw KafkaError.connectionFailed("\(address): \(error)")
        }
        let writer = RequestWriter(
            channel: channel,
            clientID: configuration.clientID,
            timeout: .milliseconds(Int64(configuration.requestTimeoutMs)),
            nextCorrelationID: NIOLockedValueBox(0)
        )
        do {
            // Nothing is sent before the handshake is done, so that its failure is what is reported.
            if let handshake = tlsHandshake.withLockedValue({ $0 }) { try await handshake.get() }
            let versions = try await negotiateVersions(writer)
            if let sasl {
                try await Self.authenticate(writer, versions: versions, settings: sasl, broker: address)
            }
            return BrokerConnection(address: address, nodeID: nodeID, writer: writer, apiVersions: versions)
        } catch {
            try? await channel.close()
            // A TLS failure closes the channel, and a request may fail with only "closed" first.
            throw tlsFailure.withLockedValue { $0 } ?? error
        }
    }

    /// The SASL settings when `security.protocol` asks for SASL.
    private static func saslSettings(_ configuration: KafkaClientConfiguration) throws -> KafkaSASLSettings? {
        guard configuration.securityProtocol.usesSASL else { return nil }
        guard let sasl = configuration.sasl else {
            throw KafkaError.invalidConfiguration(
                property: "sasl.jaas.config",
                reason: "security.protocol \(configuration.securityProtocol.rawValue) needs SASL credentials, "
                    + "e.g. \(KafkaSASLSettings.jaasExample)"
            )
        }
        return sasl
    }

    /// Makes the TLS handler for one connection when `security.protocol` asks for TLS. The server
    /// name (SNI, and the name verified) is the broker's host unless that is an IP address, which
    /// NIOSSL then verifies against the certificate's IP addresses.
    private static func tlsHandlerFactory(
        _ configuration: KafkaClientConfiguration,
        address: KafkaBrokerAddress
    ) throws -> (@Sendable () throws -> NIOSSLClientHandler)? {
        guard configuration.securityProtocol.usesTLS else { return nil }
        let context: NIOSSLContext
        do {
            context = try configuration.tls.makeSSLContext()
        } catch {
            throw KafkaError.invalidConfiguration(
                property: "ssl.keystore.location",
                reason: "the TLS settings are unusable (\(error)); check that the private key belongs to the "
                    + "client certificate"
            )
        }
        let isIPAddress = (try? SocketAddress(ipAddress: address.host, port: 0)) != nil
        let serverName = isIPAddress ? nil : address.host
        return { try NIOSSLClientHandler(context: context, serverHostname: serverName) }
    }

    /// Sends ApiVersions at the newest version we speak; a broker that does not know it answers
    /// UNSUPPORTED_VERSION with its own range (encoded at v0), and we ask again at its maximum.
    private static func negotiateVersions(_ writer: RequestWriter) async throws -> ApiVersionsTable {
        var version = ApiVersionsRequest.validVersions.upperBound
        for _ in 0..<2 {
            let request = ApiVersionsRequest(
                clientSoftwareName: "swift-connect",
                clientSoftwareVersion: "0.1.0"
            )
            var body = try await writer.write(request, version: version).get()
            // A broker that does not support our version answers UNSUPPORTED_VERSION with its own
            // range, encoded at v0 (the error code is the first field in every version).
            let errorCode = body.getInteger(at: body.readerIndex, endianness: .big, as: Int16.self)
            let decodeVersion = errorCode == KafkaErrorCode.unsupportedVersion.rawValue ? 0 : version
            let response: ApiVersionsResponse
            do {
                response = try ApiVersionsResponse(from: &body, version: decodeVersion)
            } catch let error as KafkaProtocolError {
                throw KafkaError.protocolViolation(error)
            }
            if response.errorCode == KafkaErrorCode.unsupportedVersion.rawValue,
                let range = response.apiKeys.first(where: { $0.apiKey == ApiKey.apiVersions.rawValue })
            {
                version = min(range.maxVersion, ApiVersionsRequest.validVersions.upperBound)
                continue
            }
            try KafkaError.check(response.errorCode)
            var ranges: [Int16: ClosedRange<Int16>] = [:]
            for key in response.apiKeys where key.minVersion <= key.maxVersion {
                ranges[key.apiKey] = key.minVersion...key.maxVersion
            }
            return ApiVersionsTable(ranges: ranges)
        }
        throw KafkaError.unsupportedAPI(.apiVersions)
    }

    /// The negotiated version for `R`.
    private func version<R: KafkaRequest>(for type: R.Type) throws -> Int16 {
        guard let version = self.apiVersions.version(for: R.self) else {
            throw KafkaError.unsupportedAPI(R.apiKey)
        }
        return version
    }

    /// Sends `request` at the negotiated version and decodes the response.
    public func send<R: KafkaRequest>(_ request: R) async throws -> R.Response {
        try await self.send(request, version: try self.version(for: R.self))
    }

    /// Sends `request` at `version` and decodes the response.
    ///
    /// - Parameter timeout: overrides `request.timeout.ms` for requests the broker may hold longer
    ///   on purpose (JoinGroup waits up to the rebalance timeout).
    public func send<R: KafkaRequest>(_ request: R, version: Int16, timeout: Duration? = nil) async throws -> R.Response
    {
        let future = try self.writer.write(request, version: version, timeout: timeout.map(TimeAmount.init))
        return try await PendingResponse<R.Response>(future: future, version: version).response()
    }

    /// Writes `request` at the negotiated version now, without waiting: requests written one after
    /// the other from one task reach the broker in that order (the idempotent producer relies on it
    /// for sequence numbers). Await the response with ``PendingResponse/response()``.
    public func write<R: KafkaRequest>(_ request: R, expectsResponse: Bool = true) throws -> PendingResponse<R.Response>
    {
        let version = try self.version(for: R.self)
        let future = try self.writer.write(request, version: version, expectsResponse: expectsResponse)
        return PendingResponse(future: future, version: version)
    }

    /// Writes a ProduceRequest with its record batches as separate segments, so that batches are
    /// not copied into the frame. Same bytes on the wire as ``write(_:expectsResponse:)``.
    public func writeProduce(
        _ request: ProduceRequest,
        expectsResponse: Bool = true
    ) throws
        -> PendingResponse<ProduceResponse>
    {
        let version = try self.version(for: ProduceRequest.self)
        let future = try self.writer.write(ProduceRequest.self, version: version, expectsResponse: expectsResponse) {
            frame in
            try ProduceRequestSegments.encode(request, version: version, into: &frame)
        }
        return PendingResponse(future: future, version: version)
    }

    /// Whether the channel is still open.
    public var isActive: Bool { self.channel.isActive }

    /// Closes the connection; outstanding requests fail with ``KafkaError/connectionClosed(_:)``.
    public func close() async {
        try? await self.channel.close()
    }
}

/// Frames requests (size, header, body) and hands them to the channel handler.
struct RequestWriter: Sendable {
    let channel: any Channel
    let clientID: String
    let timeout: TimeAmount
    let nextCorrelationID: NIOLockedValueBox<Int32>

    /// Writes a request and decodes its response.
    func send<R: KafkaRequest>(_ request: R, version: Int16) async throws -> R.Response {
        let future = try self.write(request, version: version)
        return try await PendingResponse<R.Response>(future: future, version: version).response()
    }

    /// Encodes and writes a request; the future completes with the response body. Writes made one
    /// after the other from one task reach the broker in that order.
    func write<R: KafkaRequest>(
        _ request: R,
        version: Int16,
        expectsResponse: Bool = true,
        timeout: TimeAmount? = nil
    ) throws -> EventLoopFuture<ByteBuffer> {
        try self.write(R.self, version: version, expectsResponse: expectsResponse, timeout: timeout) { frame in
            try request.write(into: &frame, version: version)
            return []
        }
    }

    /// Writes a request whose body `encodeBody` appends to the frame (after the header); it may
    /// return further segments that follow the frame on the wire without being copied into it.
    func write<R: KafkaRequest>(
        _ type: R.Type,
        version: Int16,
        expectsResponse: Bool,
        timeout: TimeAmount? = nil,
        encodeBody: (inout ByteBuffer) throws -> [ByteBuffer]
    ) throws -> EventLoopFuture<ByteBuffer> {
        let correlationID = self.nextCorrelationID.withLockedValue { value -> Int32 in
            value = value == Int32.max ? 0 : value + 1
            return value
        }
        let flexible = R.isFlexible(version)
        var frame = self.channel.allocator.buffer(capacity: 256)
        frame.writeInteger(Int32(0))
        frame.writeInteger(R.apiKey.rawValue)
        frame.writeInteger(version)
        frame.writeInteger(correlationID)
        // The client id stays a classic nullable string even in the flexible header v2.
        frame.writeKafkaNullableString(self.clientID, compact: false)
        if flexible { frame.writeKafkaUnsignedVarint(0) }
        let segments: [ByteBuffer]
        do {
            segments = try encodeBody(&frame)
        } catch let error as KafkaProtocolError {
            throw KafkaError.protocolViolation(error)
        }
        let size = frame.readableBytes - 4 + segments.reduce(0) { $0 + $1.readableBytes }
        guard size <= Int(Int32.max) else {
            throw KafkaError.invalidArgument("a \(R.apiKey) request of \(size) bytes exceeds the protocol's limit")
        }
        frame.setInteger(Int32(size), at: frame.readerIndex)
        let promise = self.channel.eventLoop.makePromise(of: ByteBuffer.self)
        let outbound = OutboundKafkaRequest(
            apiKey: R.apiKey,
            correlationID: correlationID,
            frame: frame,
            trailingSegments: segments,
            expectsResponse: expectsResponse,
            // ApiVersions responses always use header v0, so a client can read them at any version.
            hasFlexibleResponseHeader: flexible && R.apiKey != .apiVersions,
            timeout: timeout ?? self.timeout,
            promise: promise
        )
        let written = self.channel.eventLoop.makePromise(of: Void.self)
        // If the handler is already gone (channel closed), only the write fails: pass that on.
        // Completing a promise twice is a no-op in NIO, so the handler failing it too is harmless.
        written.futureResult.whenFailure { error in
            promise.fail(error as? KafkaError ?? KafkaError.connectionClosed("\(error)"))
        }
        self.channel.writeAndFlush(outbound, promise: written)
        return promise.futureResult
    }
}

/// A request already written whose response has not been read yet.
public struct PendingResponse<Response: KafkaResponse>: Sendable {
    let future: EventLoopFuture<ByteBuffer>
    let version: Int16

    /// Waits for the response and decodes it.
    public func response() async throws -> Response {
        var body = try await self.future.get()
        do {
            return try Response(from: &body, version: self.version)
        } catch let error as KafkaProtocolError {
            throw KafkaError.protocolViolation(error)
        }
    }

    /// Waits until the request was written (for requests without a response).
    public func written() async throws {
        _ = try await self.future.get()
    }
}
