import KafkaNIO
import NIOCore
import Testing

@testable import ConnectRuntime

private func bytes(_ buffer: ByteBuffer) -> [UInt8] { Array(buffer.readableBytesView) }
private func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }
private func task(_ connector: String, _ n: Int) -> ConnectorTaskID { ConnectorTaskID(connector: connector, task: n) }

// Kafka's primitive encodings spelled out, so the expected layouts below read field by field.
private func int16(_ v: Int16) -> [UInt8] { [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
private func int32(_ v: Int32) -> [UInt8] { (0..<4).reversed().map { UInt8(truncatingIfNeeded: v >> ($0 * 8)) } }
private func int64(_ v: Int64) -> [UInt8] { (0..<8).reversed().map { UInt8(truncatingIfNeeded: v >> ($0 * 8)) } }
private func string(_ s: String) -> [UInt8] { int16(Int16(s.utf8.count)) + Array(s.utf8) }

@Suite struct ConnectProtocolTests {
    @Test func namesAndPreferenceOrder() {
        #expect(ConnectProtocolCompatibility(configName: "SESSIONED") == .sessioned)
        #expect(ConnectProtocolCompatibility(configName: "eager") == .eager)
        #expect(ConnectProtocolCompatibility(configName: "default") == nil)
        #expect(ConnectProtocolCompatibility(protocolName: "default") == .eager)
        #expect(
            ConnectProtocolCompatibility.sessioned.offeredProtocols.map(\.protocolName) == [
                "sessioned", "compatible", "default",
            ]
        )
        #expect(
            ConnectProtocolCompatibility.compatible.offeredProtocols.map(\.protocolName) == ["compatible", "default"]
        )
        #expect(ConnectProtocolCompatibility.eager.offeredProtocols.map(\.protocolName) == ["default"])
    }

    @Test func v0MetadataBytes() throws {
        let metadata = ConnectWorkerMetadata(url: "http://w1:8083/", configOffset: 5)
        let encoded = ConnectProtocolCodec.encodeMetadata(metadata, protocol: .eager)
        // version 0 | url (int16 length 15) | config offset 5
        #expect(
            bytes(encoded) == [0x00, 0x00, 0x00, 0x0F] + Array("http://w1:8083/".utf8) + [0, 0, 0, 0, 0, 0, 0, 0x05]
        )
        #expect(try ConnectProtocolCodec.decodeMetadata(encoded) == metadata)
    }

    @Test func v1MetadataWithoutAnAllocationCarriesNullBytes() throws {
        let metadata = ConnectWorkerMetadata(url: "http://w1:8083/", configOffset: 5)
        let encoded = ConnectProtocolCodec.encodeMetadata(metadata, protocol: .compatible)
        #expect(bytes(encoded) == int16(1) + string("http://w1:8083/") + int64(5) + [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try ConnectProtocolCodec.decodeMetadata(encoded) == metadata)
    }

    @Test func v2MetadataEmbedsTheCurrentAssignmentAtV2() throws {
        let current = ConnectAssignment(
            version: 1,
            leader: "L",
            leaderURL: "u",
            configOffset: 9,
            connectors: ["c"],
            tasks: [task("c", 0)]
        )
        let metadata = ConnectWorkerMetadata(url: "http://w1:8083/", configOffset: 9, assignment: current)
        let encoded = ConnectProtocolCodec.encodeMetadata(metadata, protocol: .sessioned)
        let allocation =
            int16(2) + int16(0) + string("L") + string("u") + int64(9)
            + int32(1) + string("c") + int32(2) + int32(-1) + int32(0)  // assigned: c → [connector, 0]
            + int32(0)  // revoked: empty array
            + int32(0)  // delay
        #expect(
            bytes(encoded)
                == int16(2) + string("http://w1:8083/") + int64(9) + int32(Int32(allocation.count)) + allocation
        )
        let decoded = try ConnectProtocolCodec.decodeMetadata(encoded)
        #expect(decoded.running == ConnectorsAndTasks(connectors: ["c"], tasks: [task("c", 0)]))
        #expect(decoded.assignment?.version == 2)
        // The v0 sub-protocol's metadata of the same worker drops the allocation.
        let protocols = ConnectProtocolCodec.joinProtocols(metadata, configured: .sessioned)
        #expect(protocols.map(\.name) == ["sessioned", "compatible", "default"])
        #expect(bytes(protocols[2].metadata) == int16(0) + string("http://w1:8083/") + int64(9))
        #expect(try ConnectProtocolCodec.decodeMetadata(protocols[2].metadata).assignment == nil)
    }

    @Test func v0AssignmentBytes() throws {
        let assignment = ConnectAssignment(
            version: 0,
            leader: "L",
            leaderURL: "u",
            configOffset: 9,
            connectors: ["c"],
            tasks: [task("c", 0)]
        )
        let expected: [UInt8] = [
            0x00, 0x00,  // version 0
            0x00, 0x00,  // error NO_ERROR
            0x00, 0x01, 0x4C,  // leader "L"
            0x00, 0x01, 0x75,  // leader url "u"
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,  // config offset 9
            0x00, 0x00, 0x00, 0x01,  // one connector entry
            0x00, 0x01, 0x63,  // "c"
            0x00, 0x00, 0x00, 0x02,  // two ids
            0xFF, 0xFF, 0xFF, 0xFF,  // -1: the Connector itself
            0x00, 0x00, 0x00, 0x00,  // task 0
        ]
        #expect(bytes(ConnectProtocolCodec.encodeAssignment(assignment)) == expected)
        #expect(try ConnectProtocolCodec.decodeAssignment(buffer(expected)) == assignment)
    }

    @Test func v1AssignmentBytesWithRevocationsAndDelay() throws {
        let assignment = ConnectAssignment(
            version: 1,
            error: ConnectAssignment.configMismatch,
            leader: "L",
            leaderURL: "u",
            configOffset: 9,
            connectors: ["c"],
            tasks: [task("c", 1), task("d", 0)],
            revokedConnectors: [],
            revokedTasks: [task("e", 2)],
            delay: 5000
        )
        let expected =
            int16(1) + int16(1) + string("L") + string("u") + int64(9)
            + int32(2) + string("c") + int32(2) + int32(-1) + int32(1) + string("d") + int32(1) + int32(0)
            + int32(1) + string("e") + int32(1) + int32(2)
            + [0x00, 0x00, 0x13, 0x88]  // delay 5000 ms
        #expect(bytes(ConnectProtocolCodec.encodeAssignment(assignment)) == expected)
        let decoded = try ConnectProtocolCodec.decodeAssignment(buffer(expected))
        #expect(decoded == assignment)
        #expect(decoded.failed)
    }

    @Test func missingTrailingFieldsAndNullArraysReadAsEmpty() throws {
        let head = int16(1) + int16(0) + string("L") + string("u") + int64(3)
        let truncated = try ConnectProtocolCodec.decodeAssignment(buffer(head))
        #expect(truncated.connectors.isEmpty && truncated.revokedTasks.isEmpty && truncated.delay == 0)
        let nulls = try ConnectProtocolCodec.decodeAssignment(buffer(head + int32(-1) + int32(-1) + int32(7)))
        #expect(nulls.tasks.isEmpty && nulls.revokedConnectors.isEmpty && nulls.delay == 7)
        // A member that only wrote v0 metadata fields.
        let metadata = try ConnectProtocolCodec.decodeMetadata(buffer(int16(1) + string("x") + int64(1)))
        #expect(metadata.assignment == nil)
    }

    @Test func newerVersionsReadAsTheNewestLayoutNegativeOnesFail() throws {
        // Version 7 with a trailing field we do not know.
        let future =
            int16(7) + int16(0) + string("L") + string("u") + int64(3) + int32(0) + int32(0) + int32(10) + [0xAB, 0xCD]
        let decoded = try ConnectProtocolCodec.decodeAssignment(buffer(future))
        #expect(decoded.version == 7 && decoded.delay == 10)
        #expect(throws: KafkaError.self) {
            try ConnectProtocolCodec.decodeAssignment(buffer(int16(-1) + int16(0) + string("L")))
        }
        #expect(throws: KafkaError.self) {
            try ConnectProtocolCodec.decodeMetadata(buffer(int16(0) + string("http://x/")))
        }
        #expect(throws: KafkaError.self) {
            // An array count larger than the bytes left.
            try ConnectProtocolCodec.decodeAssignment(
                buffer(int16(0) + int16(0) + string("L") + string("u") + int64(1) + int32(1000))
            )
        }
    }

    @Test func mergingAppliesRevocationsAndAdditions() {
        let previous = ConnectAssignment(
            version: 1,
            leader: "L",
            leaderURL: "u",
            configOffset: 1,
            connectors: ["a", "b"],
            tasks: [task("a", 0), task("a", 1)]
        )
        let next = ConnectAssignment(
            version: 1,
            leader: "L",
            leaderURL: "u",
            configOffset: 2,
            connectors: ["c"],
            tasks: [task("c", 0)],
            revokedConnectors: ["b"],
            revokedTasks: [task("a", 1)]
        )
        let merged = next.merging(previous: previous)
        #expect(merged.connectors == ["c", "a"])
        #expect(merged.tasks == [task("c", 0), task("a", 0)])
        #expect(merged.configOffset == 2)
        // Eager assignments are complete already.
        var eager = next
        eager.version = 0
        #expect(eager.merging(previous: previous) == eager)
    }
}
