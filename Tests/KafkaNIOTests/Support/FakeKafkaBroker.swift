import KafkaNIO
import KafkaProtocol
import NIOCore
import NIOPosix
import Synchronization

/// An in-process Kafka broker for tests, listening on 127.0.0.1 at a free port.
///
/// It decodes request frames (size, api key, version, correlation id, client id, and the tagged
/// fields of the flexible header) and answers:
/// - ApiVersions with ``apiVersions`` (always with response header v0, as Kafka does). A version
///   outside its own ApiVersions range gets UNSUPPORTED_VERSION with that range, encoded at v0.
/// - Metadata with one broker, itself (node 1), and ``topics`` (unknown topics get
///   UNKNOWN_TOPIC_OR_PARTITION); every partition is led by node 1.
/// - Everything else as the test's ``Script`` says; an unscripted API closes the connection, so a
///   test fails fast instead of waiting for a timeout.
///
/// The script sees every request first and may return ``Reply/standard`` to get the answers above.
final class FakeKafkaBroker: Sendable {
    static let nodeID: Int32 = 1

    /// A request as the broker received it.
    struct Request: Sendable {
        var apiKey: Int16
        var version: Int16
        var correlationID: Int32
        var clientID: String?
        /// The request body, after the header.
        var body: ByteBuffer
        /// How many requests with this api key the broker received before this one (any connection).
        var index: Int

        var api: ApiKey? { ApiKey(rawValue: self.apiKey) }

        /// The body decoded as `R` at the request's version.
        func decode<R: KafkaRequest>(_ type: R.Type) throws -> R {
            var body = self.body
            return try R(from: &body, version: self.version)
        }
    }

    /// What the broker does with a request.
    enum Reply: Sendable {
        /// The built-in answer (ApiVersions, Metadata), or closing the connection for other APIs.
        case standard
        /// A typed response, encoded at the request's version (or `version`). The response
        /// header is v1 (with empty tagged fields) when that version is flexible, except for
        /// ApiVersions, whose responses always use header v0.
        case response(any KafkaResponse, version: Int16? = nil)
        /// Bytes written as they are: no frame, no header.
        case raw(ByteBuffer)
        /// Bytes written as they are, then the connection is closed.
        case rawThenClose(ByteBuffer)
        /// Nothing is sent (the client's request times out).
        case noAnswer
        /// The connection is closed.
        case close
        /// `reply`, after a delay (a broker waiting out `fetch.max.wait.ms`).
        indirect case after(TimeAmount, Reply)

        /// FindCoordinator's answer: this broker (listening on `port`) coordinates `key`.
        static func coordinatorIsThisBroker(port: Int32, key: String = "g") -> Reply {
            .response(
                FindCoordinatorResponse(
                    nodeId: FakeKafkaBroker.nodeID,
                    host: "127.0.0.1",
                    port: port,
                    coordinators: [.init(key: key, nodeId: FakeKafkaBroker.nodeID, host: "127.0.0.1", port: port)]
                )
            )
        }
    }

    typealias Script = @Sendable (Request) -> Reply

    /// The API versions offered by default: every version of each API the client uses.
    static let defaultApiVersions: [Int16: ClosedRange<Int16>] = Dictionary(
        uniqueKeysWithValues: knownRequestTypes().map { ($0.apiKey.rawValue, $0.validVersions) }
    )

    let apiVersions: [Int16: ClosedRange<Int16>]
    private let state: Mutex<State>
    private let serverChannel = Mutex<(any Channel)?>(nil)

    private struct State {
        var topics: [String: Int32]
        var script: Script
        var received: [Request] = []
        var connections: [any Channel] = []
    }

    private init(topics: [String: Int32], apiVersions: [Int16: ClosedRange<Int16>], script: @escaping Script) {
        self.apiVersions = apiVersions
        self.state = Mutex(State(topics: topics, script: script))
    }

    /// Starts a broker. `topics` maps topic names to partition counts.
    static func start(
        topics: [String: Int32] = [:],
        apiVersions: [Int16: ClosedRange<Int16>] = FakeKafkaBroker.defaultApiVersions,
        script: @escaping Script = { _ in .standard }
    ) async throws -> FakeKafkaBroker {
        let broker = FakeKafkaBroker(topics: topics, apiVersions: apiVersions, script: script)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RequestFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(FakeBrokerHandler(broker: broker))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        broker.serverChannel.withLock { $0 = channel }
        return broker
    }

    var port: Int { self.serverChannel.withLock { $0?.localAddress?.port ?? 0 } }
    var address: KafkaBrokerAddress { KafkaBrokerAddress(host: "127.0.0.1", port: self.port) }

    /// Replaces the script.
    func setScript(_ script: @escaping Script) {
        self.state.withLock { $0.script = script }
    }

    func setTopic(_ name: String, partitions: Int32) {
        self.state.withLock { $0.topics[name] = partitions }
    }

    /// Every request received so far, in order.
    var requests: [Request] { self.state.withLock { $0.received } }

    func requests(_ api: ApiKey) -> [Request] {
        self.requests.filter { $0.apiKey == api.rawValue }
    }

    /// The number of connections accepted so far.
    var connectionCount: Int { self.state.withLock { $0.connections.count } }

    /// Closes the listening socket and every connection.
    func shutdown() async {
        let server = self.serverChannel.withLock { $0 }
        let connections = self.state.withLock { $0.connections }
        for connection in connections { try? await connection.close() }
        try? await server?.close()
    }

    // MARK: Encoding

    /// A response frame: size, correlation id, the header's tagged fields if `flexibleHeader`, body.
    static func responseFrame(correlationID: Int32, flexibleHeader: Bool, body: ByteBuffer) -> ByteBuffer {
        var frame = ByteBuffer()
        frame.writeInteger(Int32(0))
        frame.writeInteger(correlationID)
        if flexibleHeader { frame.writeKafkaUnsignedVarint(0) }
        frame.writeImmutableBuffer(body)
        frame.setInteger(Int32(frame.readableBytes - 4), at: frame.readerIndex)
        return frame
    }

    /// The frame answering `request` with `response` encoded at `version` (default: the request's).
    static func responseFrame(
        _ response: any KafkaResponse,
        version: Int16? = nil,
        for request: Request
    ) throws -> ByteBuffer {
        let version = version ?? request.version
        var body = ByteBuffer()
        try response.write(into: &body, version: version)
        let flexible = request.apiKey != ApiKey.apiVersions.rawValue && type(of: response).isFlexible(version)
        return responseFrame(correlationID: request.correlationID, flexibleHeader: flexible, body: body)
    }

    /// Whether requests of `apiKey` at `version` use the flexible request header v2.
    static func hasFlexibleRequestHeader(apiKey: Int16, version: Int16) -> Bool {
        guard let type = knownRequestTypes().first(where: { $0.apiKey.rawValue == apiKey }) else { return false }
        return type.isFlexible(version)
    }

    static func knownRequestTypes() -> [any KafkaRequest.Type] {
        [
            ApiVersionsRequest.self, MetadataRequest.self, ProduceRequest.self, FetchRequest.self,
            ListOffsetsRequest.self, CreateTopicsRequest.self, DeleteTopicsRequest.self,
            DescribeConfigsRequest.self, DescribeClusterRequest.self, InitProducerIdRequest.self,
            // Group APIs: offered so that tests can script a coordinator.
            FindCoordinatorRequest.self, JoinGroupRequest.self, SyncGroupRequest.self, HeartbeatRequest.self,
            LeaveGroupRequest.self, OffsetCommitRequest.self, OffsetFetchRequest.self, ListGroupsRequest.self,
            DescribeGroupsRequest.self,
            // Transactions.
            AddPartitionsToTxnRequest.self, AddOffsetsToTxnRequest.self, EndTxnRequest.self,
            TxnOffsetCommitRequest.self,
        ]
    }

    // MARK: Serving (called on the connection's event loop)

    fileprivate func connectionOpened(_ channel: any Channel) {
        self.state.withLock { $0.connections.append(channel) }
    }

    /// Records the request and decides the reply, resolving ``Reply/standard``.
    fileprivate func receive(
        apiKey: Int16,
        version: Int16,
        correlationID: Int32,
        clientID: String?,
        body: ByteBuffer,
        port: Int
    ) -> (Request, Reply) {
        let (request, script, topics) = self.state.withLock { state in
            let index = state.received.lazy.filter { $0.apiKey == apiKey }.count
            let request = Request(
                apiKey: apiKey,
                version: version,
                correlationID: correlationID,
                clientID: clientID,
                body: body,
                index: index
            )
            state.received.append(request)
            return (request, state.script, state.topics)
        }
        return (request, self.resolve(script(request), for: request, topics: topics, port: port))
    }

    /// Replaces ``Reply/standard`` (also inside ``Reply/after(_:_:)``) with the built-in answer.
    private func resolve(_ reply: Reply, for request: Request, topics: [String: Int32], port: Int) -> Reply {
        switch reply {
        case .standard:
            switch request.api {
            case .apiVersions: return self.apiVersionsReply(request)
            case .metadata: return Self.metadataReply(request, topics: topics, port: port)
            // The idempotent producer (on by default) asks for a producer id first.
            case .initProducerId: return .response(InitProducerIdResponse(producerId: 4000, producerEpoch: 0))
            default: return .close
            }
        case .after(let delay, let next):
            return .after(delay, self.resolve(next, for: request, topics: topics, port: port))
        default:
            return reply
        }
    }

    private func apiVersionsReply(_ request: Request) -> Reply {
        let own = self.apiVersions[ApiKey.apiVersions.rawValue] ?? 0...0
        guard own.contains(request.version) else {
            let range = ApiVersionsResponse.ApiVersion(
                apiKey: ApiKey.apiVersions.rawValue,
                minVersion: own.lowerBound,
                maxVersion: own.upperBound
            )
            return .response(
                ApiVersionsResponse(errorCode: KafkaErrorCode.unsupportedVersion.rawValue, apiKeys: [range]),
                version: 0
            )
        }
        let keys = self.apiVersions.sorted { $0.key < $1.key }.map {
            ApiVersionsResponse.ApiVersion(
                apiKey: $0.key,
                minVersion: $0.value.lowerBound,
                maxVersion: $0.value.upperBound
            )
        }
        return .response(ApiVersionsResponse(errorCode: 0, apiKeys: keys))
    }

    private static func metadataReply(_ request: Request, topics: [String: Int32], port: Int) -> Reply {
        guard let metadataRequest = try? request.decode(MetadataRequest.self) else { return .close }
        let names = metadataRequest.topics.map { $0.compactMap(\.name) } ?? topics.keys.sorted()
        let responseTopics = names.map { name -> MetadataResponse.MetadataResponseTopic in
            guard let count = topics[name] else {
                return .init(errorCode: KafkaErrorCode.unknownTopicOrPartition.rawValue, name: name)
            }
            return .init(
                errorCode: 0,
                name: name,
                partitions: (0..<count).map { partition in
                    .init(
                        errorCode: 0,
                        partitionIndex: partition,
                        leaderId: nodeID,
                        leaderEpoch: 0,
                        replicaNodes: [nodeID],
                        isrNodes: [nodeID]
                    )
                }
            )
        }
        return .response(
            MetadataResponse(
                brokers: [.init(nodeId: nodeID, host: "127.0.0.1", port: Int32(port))],
                clusterId: "fake-cluster",
                controllerId: nodeID,
                topics: responseTopics
            )
        )
    }
}

/// Splits the inbound bytes into request frames (big-endian int32 size, then the frame).
private struct RequestFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return .needMoreData }
        guard size >= 0 else { throw KafkaProtocolError.invalidLength(Int64(size)) }
        guard buffer.readableBytes >= 4 + Int(size) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        context.fireChannelRead(Self.wrapInboundOut(buffer.readSlice(length: Int(size))!))
        return .continue
    }
}

private final class FakeBrokerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let broker: FakeKafkaBroker

    init(broker: FakeKafkaBroker) {
        self.broker = broker
    }

    func channelActive(context: ChannelHandlerContext) {
        self.broker.connectionOpened(context.channel)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = Self.unwrapInboundIn(data)
        do {
            let apiKey = try frame.readKafkaInteger(as: Int16.self)
            let version = try frame.readKafkaInteger(as: Int16.self)
            let correlationID = try frame.readKafkaInteger(as: Int32.self)
            let clientID = try frame.readKafkaNullableString(compact: false)
            if FakeKafkaBroker.hasFlexibleRequestHeader(apiKey: apiKey, version: version) {
                _ = try frame.readKafkaTaggedFields()
            }
            let (request, reply) = self.broker.receive(
                apiKey: apiKey,
                version: version,
                correlationID: correlationID,
                clientID: clientID,
                body: frame,
                port: context.channel.localAddress?.port ?? 0
            )
            self.perform(reply, for: request, context: context)
        } catch {
            context.close(promise: nil)
        }
    }

    private func perform(
        _ reply: FakeKafkaBroker.Reply,
        for request: FakeKafkaBroker.Request,
        context: ChannelHandlerContext
    ) {
        switch reply {
        case .standard, .close:
            context.close(promise: nil)
        case .response(let response, let version):
            guard let frame = try? FakeKafkaBroker.responseFrame(response, version: version, for: request) else {
                context.close(promise: nil)
                return
            }
            context.writeAndFlush(Self.wrapOutboundOut(frame), promise: nil)
        case .raw(let bytes):
            context.writeAndFlush(Self.wrapOutboundOut(bytes), promise: nil)
        case .rawThenClose(let bytes):
            context.writeAndFlush(Self.wrapOutboundOut(bytes)).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        case .noAnswer:
            break
        case .after(let delay, let next):
            context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
                guard context.channel.isActive else { return }
                self.perform(next, for: request, context: context)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
