import KafkaProtocol
import NIOCore
import Testing

/// Exact bytes for a few generated messages, worked out by hand from the Kafka protocol guide.
@Suite("Generated messages: golden bytes")
struct GeneratedGoldenTests {
    static func bytes<M: KafkaMessage>(_ message: M, version: Int16) throws -> [UInt8] {
        var buffer = ByteBuffer()
        try message.write(into: &buffer, version: version)
        return Array(buffer.readableBytesView)
    }

    static func decode<M: KafkaMessage>(_ type: M.Type, _ bytes: [UInt8], version: Int16) throws -> M {
        var buffer = ByteBuffer(bytes: bytes)
        let message = try M(from: &buffer, version: version)
        #expect(buffer.readableBytes == 0, "\(M.self) v\(version) left \(buffer.readableBytes) bytes unread")
        return message
    }

    // MARK: ApiVersions

    @Test func apiVersionsRequestV3() throws {
        let request = ApiVersionsRequest(clientSoftwareName: "swift-connect", clientSoftwareVersion: "1.0")
        let expected: [UInt8] =
            [0x0E] + Array("swift-connect".utf8)  // compact string: length + 1
            + [0x04] + Array("1.0".utf8)
            + [0x00]  // no tagged fields
        #expect(try Self.bytes(request, version: 3) == expected)
        #expect(try Self.decode(ApiVersionsRequest.self, expected, version: 3) == request)
    }

    @Test func apiVersionsRequestV0IsEmpty() throws {
        let request = ApiVersionsRequest(clientSoftwareName: "swift-connect", clientSoftwareVersion: "1.0")
        #expect(try Self.bytes(request, version: 0) == [])
        // Fields a version lacks keep their defaults when decoding.
        #expect(try Self.decode(ApiVersionsRequest.self, [], version: 0) == ApiVersionsRequest())
    }

    static let apiVersionsResponseV3Prefix: [UInt8] = [
        0x00, 0x00,  // ErrorCode
        0x02,  // ApiKeys: compact array of one element
        0x00, 0x12, 0x00, 0x00, 0x00, 0x04, 0x00,  // ApiKey 18, MinVersion 0, MaxVersion 4, no tags
        0x00, 0x00, 0x00, 0x00,  // ThrottleTimeMs
    ]

    @Test func apiVersionsResponseV3KnownTaggedField() throws {
        let bytes =
            Self.apiVersionsResponseV3Prefix + [
                0x01,  // one tagged field
                0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,  // tag 1 FinalizedFeaturesEpoch = 5
            ]
        let response = try Self.decode(ApiVersionsResponse.self, bytes, version: 3)
        #expect(response.finalizedFeaturesEpoch == 5)
        #expect(response.apiKeys == [.init(apiKey: 18, minVersion: 0, maxVersion: 4)])
        #expect(response.unknownTaggedFields.isEmpty)
        #expect(try Self.bytes(response, version: 3) == bytes)
    }

    @Test func apiVersionsResponseTaggedFieldAtItsDefaultIsNotWritten() throws {
        let response = ApiVersionsResponse(apiKeys: [.init(apiKey: 18, minVersion: 0, maxVersion: 4)])
        #expect(response.finalizedFeaturesEpoch == -1)
        #expect(try Self.bytes(response, version: 3) == Self.apiVersionsResponseV3Prefix + [0x00])
        // Absent on the wire means the spec default, -1, not 0.
        let decoded = try Self.decode(ApiVersionsResponse.self, Self.apiVersionsResponseV3Prefix + [0x00], version: 3)
        #expect(decoded.finalizedFeaturesEpoch == -1)
    }

    @Test func unknownTaggedFieldsArePreserved() throws {
        let bytes =
            Self.apiVersionsResponseV3Prefix + [
                0x02,  // two tagged fields
                0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,  // tag 1 (known)
                0x07, 0x02, 0xAB, 0xCD,  // tag 7 (unknown to this spec)
            ]
        let response = try Self.decode(ApiVersionsResponse.self, bytes, version: 3)
        #expect(response.finalizedFeaturesEpoch == 5)
        #expect(response.unknownTaggedFields == [KafkaTaggedField(tag: 7, data: ByteBuffer(bytes: [0xAB, 0xCD]))])
        #expect(try Self.bytes(response, version: 3) == bytes)
    }

    @Test func knownAndUnknownTagsAreWrittenInAscendingOrder() throws {
        // FetchRequest v12: ClusterId is tag 0; tag 1 (ReplicaState) only exists from v15, so at v12
        // it is an unknown tag and must be kept as raw bytes.
        let request = FetchRequest(
            clusterId: "c",
            unknownTaggedFields: [KafkaTaggedField(tag: 1, data: ByteBuffer(bytes: [0x01]))]
        )
        let bytes = try Self.bytes(request, version: 12)
        let tail: [UInt8] = [
            0x02,  // two tagged fields
            0x00, 0x02, 0x02, 0x63,  // tag 0, size 2, compact string "c"
            0x01, 0x01, 0x01,  // tag 1, size 1, 0x01
        ]
        #expect(Array(bytes.suffix(tail.count)) == tail)
        let decoded = try Self.decode(FetchRequest.self, bytes, version: 12)
        #expect(decoded.clusterId == "c")
        #expect(decoded.unknownTaggedFields == request.unknownTaggedFields)
        // At v15 the same tag is ReplicaState and decodes as a known field.
        let replicaState = FetchRequest.ReplicaState(replicaId: 3, replicaEpoch: 9)
        let v15 = try Self.bytes(FetchRequest(replicaState: replicaState), version: 15)
        let decodedV15 = try Self.decode(FetchRequest.self, v15, version: 15)
        #expect(decodedV15.replicaState == replicaState)
        #expect(decodedV15.unknownTaggedFields.isEmpty)
    }

    // MARK: Metadata

    @Test func metadataRequestV1NullTopics() throws {
        // In v1+, a null topic array means "all topics".
        #expect(try Self.bytes(MetadataRequest(topics: nil), version: 1) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try Self.bytes(MetadataRequest(topics: []), version: 1) == [0x00, 0x00, 0x00, 0x00])
        #expect(try Self.decode(MetadataRequest.self, [0xFF, 0xFF, 0xFF, 0xFF], version: 1).topics == nil)
    }

    @Test func metadataRequestV12Compact() throws {
        let request = MetadataRequest(topics: [.init(name: "a")])
        let expected: [UInt8] =
            [0x02]  // compact array of one topic
            + [UInt8](repeating: 0, count: 16)  // TopicId (zero UUID)
            + [0x02, 0x61]  // compact nullable string "a"
            + [0x00]  // topic: no tagged fields
            + [0x01]  // AllowAutoTopicCreation (default true)
            + [0x00]  // IncludeTopicAuthorizedOperations
            + [0x00]  // no tagged fields
        #expect(try Self.bytes(request, version: 12) == expected)
        #expect(try Self.decode(MetadataRequest.self, expected, version: 12) == request)
        #expect(try Self.bytes(MetadataRequest(topics: nil), version: 12) == [0x00, 0x01, 0x00, 0x00])
    }

    @Test func nilWhereTheVersionForbidsNullThrows() throws {
        // Topics is nullable from v1 only.
        #expect(throws: KafkaProtocolError.unexpectedNull(field: "topics")) {
            _ = try Self.bytes(MetadataRequest(topics: nil), version: 0)
        }
        // A topic name is nullable from v10 only.
        let unnamed = MetadataRequest(topics: [
            .init(topicId: KafkaUUID(mostSignificantBits: 1, leastSignificantBits: 2), name: nil)
        ])
        #expect(throws: KafkaProtocolError.unexpectedNull(field: "name")) {
            _ = try Self.bytes(unnamed, version: 9)
        }
        let v10 = try Self.bytes(unnamed, version: 10)
        #expect(try Self.decode(MetadataRequest.self, v10, version: 10) == unnamed)
        // Null on the wire where the version forbids it.
        #expect(throws: KafkaProtocolError.unexpectedNull(field: "topics")) {
            _ = try Self.decode(MetadataRequest.self, [0xFF, 0xFF, 0xFF, 0xFF], version: 0)
        }
    }

    // MARK: Headers and structures

    @Test func requestHeaderV2KeepsAClassicClientId() throws {
        // ClientId has "flexibleVersions": "none": an int16-length string even in flexible v2.
        let header = RequestHeader(requestApiKey: 18, requestApiVersion: 3, correlationId: 7, clientId: "ab")
        let expected: [UInt8] = [
            0x00, 0x12,  // RequestApiKey
            0x00, 0x03,  // RequestApiVersion
            0x00, 0x00, 0x00, 0x07,  // CorrelationId
            0x00, 0x02, 0x61, 0x62,  // ClientId: int16 length, not a compact length
            0x00,  // no tagged fields
        ]
        #expect(try Self.bytes(header, version: 2) == expected)
        #expect(try Self.decode(RequestHeader.self, expected, version: 2) == header)
        let noClient = RequestHeader(requestApiKey: 18, requestApiVersion: 3, correlationId: 7, clientId: nil)
        #expect(try Self.bytes(noClient, version: 2).suffix(3) == [0xFF, 0xFF, 0x00])
        #expect(try Self.bytes(header, version: 0) == Array(expected.prefix(8)))
    }

    @Test func responseHeaderVersions() throws {
        let header = ResponseHeader(correlationId: 258)
        #expect(try Self.bytes(header, version: 0) == [0x00, 0x00, 0x01, 0x02])
        #expect(try Self.bytes(header, version: 1) == [0x00, 0x00, 0x01, 0x02, 0x00])
    }

    @Test func nullableStructHasAPresenceByte() throws {
        let prefix: [UInt8] = [
            0x00, 0x00, 0x00, 0x00,  // ThrottleTimeMs
            0x00, 0x00,  // ErrorCode
            0x00,  // ErrorMessage: null
            0x00,  // MemberId: null
            0x00, 0x00, 0x00, 0x00,  // MemberEpoch
            0x00, 0x00, 0x00, 0x00,  // HeartbeatIntervalMs
        ]
        let absent = ConsumerGroupHeartbeatResponse()
        #expect(try Self.bytes(absent, version: 0) == prefix + [0xFF, 0x00])
        let present = ConsumerGroupHeartbeatResponse(assignment: .init(topicPartitions: []))
        #expect(try Self.bytes(present, version: 0) == prefix + [0x01, 0x01, 0x00, 0x00])
        #expect(try Self.decode(ConsumerGroupHeartbeatResponse.self, prefix + [0xFF, 0x00], version: 0) == absent)
        #expect(
            try Self.decode(ConsumerGroupHeartbeatResponse.self, prefix + [0x01, 0x01, 0x00, 0x00], version: 0)
                == present
        )
    }

    @Test func consumerProtocolSubscriptionV0() throws {
        let subscription = ConsumerProtocolSubscription(topics: ["a"], userData: nil)
        let expected: [UInt8] = [
            0x00, 0x00, 0x00, 0x01,  // Topics: one
            0x00, 0x01, 0x61,  // "a"
            0xFF, 0xFF, 0xFF, 0xFF,  // UserData: null
        ]
        #expect(try Self.bytes(subscription, version: 0) == expected)
        #expect(try Self.decode(ConsumerProtocolSubscription.self, expected, version: 0) == subscription)
    }

    // MARK: ApiKey

    @Test func apiKeys() {
        #expect(ApiKey.produce.rawValue == 0)
        #expect(ApiKey.fetch.rawValue == 1)
        #expect(ApiKey.apiVersions.rawValue == 18)
        #expect(ApiKey.describeCluster.rawValue == 60)
        #expect(ApiKey.consumerGroupHeartbeat.rawValue == 68)
        #expect(ApiKey(rawValue: 3) == .metadata)
        #expect(ApiKey.produce.description == "Produce")
        #expect(ApiKey.describeCluster.description == "DescribeCluster")
        #expect(ProduceRequest.apiKey == .produce)
        #expect(ApiVersionsRequest.apiKey == .apiVersions)
        #expect(ProduceRequest.validVersions == 0...11)
        #expect(ProduceRequest.lowestFlexibleVersion == 9)
        #expect(SaslHandshakeRequest.lowestFlexibleVersion == nil)
        #expect(ProduceRequest.isFlexible(9))
        #expect(!ProduceRequest.isFlexible(8))
        // Every request spec has a case, including APIs without generated types.
        #expect(ApiKey.allCases.count > 42)
        #expect(Set(ApiKey.allCases.map(\.rawValue)).count == ApiKey.allCases.count)
    }
}
