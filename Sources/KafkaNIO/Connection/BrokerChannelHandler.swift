import KafkaProtocol
import NIOCore

/// A request ready to go on the wire: the complete frame (size prefix, header, body) is already
/// encoded by the caller, off the event loop.
struct OutboundKafkaRequest: Sendable {
    var apiKey: ApiKey
    var correlationID: Int32
    var frame: ByteBuffer
    /// Further parts of the frame written after `frame` without copying (large record batches).
    var trailingSegments: [ByteBuffer] = []
    var expectsResponse: Bool
    var hasFlexibleResponseHeader: Bool
    var timeout: TimeAmount
    /// Succeeded with the response body (after the response header).
    var promise: EventLoopPromise<ByteBuffer>
}

/// Matches responses to requests by correlation id, times requests out, and fails everything
/// outstanding when the connection ends. Many requests may be in flight at once (pipelining).
final class BrokerChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = OutboundKafkaRequest
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var apiKey: ApiKey
        var promise: EventLoopPromise<ByteBuffer>
        var timeoutTask: Scheduled<Void>?
    }

    private var inFlight = InFlightRequests<Pending>()
    private var closedError: KafkaError?
    private let peer: String

    init(peer: String) {
        self.peer = peer
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = self.unwrapOutboundIn(data)
        if let closedError {
            request.promise.fail(closedError)
            promise?.fail(closedError)
            return
        }
        guard request.expectsResponse else {
            // acks=0 produce: the broker sends nothing back; done once written.
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.map { ByteBuffer() }.cascade(to: request.promise)
            written.futureResult.cascade(to: promise)
            self.writeSegments(of: request, context: context, promise: written)
            return
        }
        let correlationID = request.correlationID
        let timeoutTask = context.eventLoop.assumeIsolated().scheduleTask(in: request.timeout) { [weak self] in
            guard let self else { return }
            self.requestTimedOut(context: context, correlationID: correlationID, timeout: request.timeout)
        }
        let entry = InFlightRequests<Pending>.Entry(
            correlationID: correlationID,
            hasFlexibleResponseHeader: request.hasFlexibleResponseHeader,
            context: Pending(apiKey: request.apiKey, promise: request.promise, timeoutTask: timeoutTask)
        )
        guard self.inFlight.sent(entry) else {
            timeoutTask.cancel()
            request.promise.fail(KafkaError.invalidArgument("duplicate correlation id \(correlationID)"))
            return
        }
        self.writeSegments(of: request, context: context, promise: promise)
    }

    /// Writes the frame and its trailing segments back to back; `promise` completes with the last.
    private func writeSegments(
        of request: OutboundKafkaRequest,
        context: ChannelHandlerContext,
        promise: EventLoopPromise<Void>?
    ) {
        guard !request.trailingSegments.isEmpty else {
            context.write(self.wrapOutboundOut(request.frame), promise: promise)
            return
        }
        context.write(self.wrapOutboundOut(request.frame), promise: nil)
        for segment in request.trailingSegments.dropLast() {
            context.write(self.wrapOutboundOut(segment), promise: nil)
        }
        if let last = request.trailingSegments.last {
            context.write(self.wrapOutboundOut(last), promise: promise)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = self.unwrapInboundIn(data)
        guard let correlationID = frame.readInteger(endianness: .big, as: Int32.self) else {
            self.failConnection(context: context, .protocolViolation(.truncated(needed: 4)))
            return
        }
        guard let entry = self.inFlight.responseReceived(correlationID: correlationID) else {
            self.failConnection(
                context: context,
                .protocolViolation(.corruptRecord("response for unknown correlation id \(correlationID)"))
            )
            return
        }
        entry.context.timeoutTask?.cancel()
        if entry.hasFlexibleResponseHeader {
            do {
                _ = try frame.readKafkaTaggedFields()
            } catch let error as KafkaProtocolError {
                entry.context.promise.fail(KafkaError.protocolViolation(error))
                self.failConnection(context: context, .protocolViolation(error))
                return
            } catch {
                entry.context.promise.fail(error)
                return
            }
        }
        entry.context.promise.succeed(frame)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let protocolError = error as? KafkaProtocolError {
            self.failConnection(context: context, .protocolViolation(protocolError))
        } else if let kafkaError = error as? KafkaError {
            // Already translated further up the pipeline (TLS failures).
            self.failConnection(context: context, kafkaError)
        } else {
            self.failConnection(context: context, .connectionClosed("\(self.peer): \(error)"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.failAll(.connectionClosed("\(self.peer) closed the connection"))
        context.fireChannelInactive()
    }

    private func requestTimedOut(context: ChannelHandlerContext, correlationID: Int32, timeout: TimeAmount) {
        guard let entry = self.inFlight.responseReceived(correlationID: correlationID) else { return }
        let error = KafkaError.requestTimedOut(
            api: entry.context.apiKey,
            timeoutMs: Int(timeout.nanoseconds / 1_000_000)
        )
        entry.context.promise.fail(error)
        // As the Java client does: a connection with a timed-out request is closed, since the
        // response stream can no longer be trusted to line up.
        self.failConnection(context: context, error)
    }

    private func failConnection(context: ChannelHandlerContext, _ error: KafkaError) {
        self.failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: KafkaError) {
        if self.closedError == nil { self.closedError = error }
        for entry in self.inFlight.removeAll() {
            entry.context.timeoutTask?.cancel()
            entry.context.promise.fail(error)
        }
    }
}
