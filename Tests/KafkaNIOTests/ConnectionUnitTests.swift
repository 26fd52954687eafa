import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaNIO

@Suite struct KafkaFrameDecoderTests {
    static func framed(_ payload: String) -> [UInt8] {
        let bytes = Array(payload.utf8)
        return withUnsafeBytes(of: Int32(bytes.count).bigEndian) { Array($0) } + bytes
    }

    @Test func dripFedBytesYieldTheFrameOnlyWhenComplete() throws {
        let bytes = Self.framed("hello, kafka")
        var buffer = ByteBuffer()
        for (index, byte) in bytes.enumerated() {
            buffer.writeInteger(byte)
            let frame = try KafkaFrameDecoder.nextFrame(in: &buffer, maximumFrameSize: 1024)
            if index < bytes.count - 1 {
                #expect(frame == nil, "frame returned after \(index + 1) of \(bytes.count) bytes")
                #expect(buffer.readerIndex == 0, "bytes consumed before the frame was complete")
            } else {
                #expect(frame?.text == "hello, kafka")
            }
        }
        #expect(buffer.readableBytes == 0)
    }

    @Test func severalFramesInOneBuffer() throws {
        let complete = Self.framed("one") + Self.framed("") + Self.framed("three")
        let fourth = Self.framed("four")
        var buffer = ByteBuffer(bytes: complete + fourth.prefix(5))
        #expect(try KafkaFrameDecoder.nextFrame(in: &buffer, maximumFrameSize: 64)?.text == "one")
        let empty = try KafkaFrameDecoder.nextFrame(in: &buffer, maximumFrameSize: 64)
        #expect(empty != nil)
        #expect(empty?.readableBytes == 0)
        #expect(try KafkaFrameDecoder.nextFrame(in: &buffer, maximumFrameSize: 64)?.text == "three")
        #expect(try KafkaFrameDecoder.nextFrame(in: &buffer, maximumFrameSize: 64) == nil)
        #expect(buffer.readableBytes == 5)
        buffer.writeBytes(fourth.dropFirst(5))
        #expect(try KafkaFrameDecoder.nextFrame(in: &buffer, maximumFrameSize: 64)?.text == "four")
        #expect(try KafkaFrameDecoder.nextFrame(in: &buffer, maximumFrameSize: 64) == nil)
    }

    @Test func fewerThanFourBytesIsNotAFrameYet() throws {
        var buffer = ByteBuffer(bytes: [0x00, 0x00, 0x00])
        #expect(try KafkaFrameDecoder.nextFrame(in: &buffer, maximumFrameSize: 64) == nil)
        #expect(buffer.readableBytes == 3)
    }

    @Test func sizeAtTheMaximumIsAcceptedAboveIsRejectedAtOnce() throws {
        var atMaximum = ByteBuffer()
        atMaximum.writeInteger(Int32(16))
        #expect(try KafkaFrameDecoder.nextFrame(in: &atMaximum, maximumFrameSize: 16) == nil)
        atMaximum.writeBytes(Array(repeating: UInt8(7), count: 16))
        #expect(try KafkaFrameDecoder.nextFrame(in: &atMaximum, maximumFrameSize: 16)?.readableBytes == 16)

        // Only the prefix has arrived: the size alone is enough to reject it.
        var above = ByteBuffer()
        above.writeInteger(Int32(17))
        #expect(throws: KafkaProtocolError.frameTooLarge(size: 17, maximum: 16)) {
            try KafkaFrameDecoder.nextFrame(in: &above, maximumFrameSize: 16)
        }
        var absurd = ByteBuffer()
        absurd.writeInteger(Int32(0x7FFF_FFF0))
        #expect(throws: KafkaProtocolError.frameTooLarge(size: 0x7FFF_FFF0, maximum: 256 << 20)) {
            try KafkaFrameDecoder.nextFrame(in: &absurd, maximumFrameSize: 256 << 20)
        }
    }

    @Test func negativeSizeIsRejected() throws {
        var buffer = ByteBuffer()
        buffer.writeInteger(Int32(-1))
        #expect(throws: KafkaProtocolError.invalidLength(-1)) {
            try KafkaFrameDecoder.nextFrame(in: &buffer, maximumFrameSize: 64)
        }
        var minimum = ByteBuffer()
        minimum.writeInteger(Int32.min)
        #expect(throws: KafkaProtocolError.invalidLength(Int64(Int32.min))) {
            try KafkaFrameDecoder.nextFrame(in: &minimum, maximumFrameSize: 64)
        }
    }
}

@Suite struct InFlightRequestsTests {
    typealias Requests = InFlightRequests<String>

    static func entry(_ id: Int32, flexible: Bool = false, _ context: String = "") -> Requests.Entry {
        Requests.Entry(correlationID: id, hasFlexibleResponseHeader: flexible, context: context)
    }

    /// `requests.sent(entry)`, outside `#expect` (which cannot call mutating methods).
    static func send(_ requests: inout Requests, _ entry: Requests.Entry) -> Bool {
        requests.sent(entry)
    }

    @Test func matchesResponsesByCorrelationIDInAnyOrder() {
        var requests = Requests()
        #expect(requests.isEmpty)
        #expect(Self.send(&requests, Self.entry(1, "metadata")))
        #expect(Self.send(&requests, Self.entry(2, flexible: true, "fetch")))
        #expect(Self.send(&requests, Self.entry(3, "produce")))
        #expect(requests.count == 3)

        let second = requests.responseReceived(correlationID: 2)
        #expect(second?.context == "fetch")
        #expect(second?.hasFlexibleResponseHeader == true)
        #expect(requests.responseReceived(correlationID: 2) == nil, "a response is matched once")
        #expect(requests.responseReceived(correlationID: 1)?.context == "metadata")
        #expect(requests.count == 1)
        #expect(!requests.isEmpty)
    }

    @Test func unknownCorrelationIDIsNil() {
        var requests = Requests()
        #expect(Self.send(&requests, Self.entry(5)))
        #expect(requests.responseReceived(correlationID: 6) == nil)
        #expect(requests.count == 1)
    }

    @Test func duplicateCorrelationIDIsRefused() {
        var requests = Requests()
        #expect(Self.send(&requests, Self.entry(7, "first")))
        #expect(!Self.send(&requests, Self.entry(7, "second")))
        #expect(requests.responseReceived(correlationID: 7)?.context == "first")
        #expect(Self.send(&requests, Self.entry(7, "again")), "the id is free once answered")
    }

    @Test func removeAllReturnsEveryWaitingEntry() {
        var requests = Requests()
        for id in Int32(0)..<5 { #expect(Self.send(&requests, Self.entry(id, "r\(id)"))) }
        _ = requests.responseReceived(correlationID: 3)
        let removed = requests.removeAll()
        #expect(removed.map(\.correlationID).sorted() == [0, 1, 2, 4])
        #expect(requests.isEmpty)
        #expect(requests.removeAll().isEmpty)
    }
}

@Suite struct ApiVersionsTableTests {
    static let metadataKey = ApiKey.metadata.rawValue
    static let fetchKey = ApiKey.fetch.rawValue

    @Test func picksTheHighestCommonVersion() {
        let table = ApiVersionsTable(ranges: [Self.metadataKey: 0...5, ApiKey.produce.rawValue: 3...20])
        #expect(table.version(for: MetadataRequest.self) == 5)
        // Broker newer than the client: the client's maximum.
        #expect(table.version(for: ProduceRequest.self) == ProduceRequest.validVersions.upperBound)
    }

    @Test func nilWhenTheRangesAreDisjointOrTheApiIsMissing() {
        let newer = ApiVersionsTable(ranges: [Self.metadataKey: 13...15])
        #expect(newer.version(for: MetadataRequest.self) == nil)
        let missing = ApiVersionsTable(ranges: [Self.fetchKey: 0...12])
        #expect(missing.version(for: MetadataRequest.self) == nil)
        let empty = ApiVersionsTable(ranges: [:])
        #expect(empty.version(for: ApiVersionsRequest.self) == nil)
    }

    @Test func lowestSharedVersionIsUsable() {
        let table = ApiVersionsTable(ranges: [Self.metadataKey: 12...20])
        #expect(table.version(for: MetadataRequest.self) == 12)
    }

    @Test func fetchIsCappedAtTwelve() {
        #expect(ApiVersionsTable(ranges: [Self.fetchKey: 0...17]).version(for: FetchRequest.self) == 12)
        #expect(ApiVersionsTable(ranges: [Self.fetchKey: 4...10]).version(for: FetchRequest.self) == 10)
        // A broker that only speaks Fetch v13+ (topic ids) shares nothing with the capped client.
        #expect(ApiVersionsTable(ranges: [Self.fetchKey: 13...17]).version(for: FetchRequest.self) == nil)
    }
}
