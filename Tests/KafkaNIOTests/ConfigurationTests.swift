import KafkaProtocol
import Testing

@testable import KafkaNIO

@Suite struct ConfigurationTests {
    static let bootstrap = ["bootstrap.servers": "localhost:9092"]

    static func with(_ extra: [String: String]) -> [String: String] {
        Self.bootstrap.merging(extra) { _, new in new }
    }

    /// The property an invalid-configuration error names, or nil (recording an issue) otherwise.
    static func rejectedProperty(
        sourceLocation: SourceLocation = #_sourceLocation,
        _ parse: () throws -> Any
    ) -> String? {
        do {
            let value = try parse()
            Issue.record("expected invalidConfiguration, got \(value)", sourceLocation: sourceLocation)
        } catch KafkaError.invalidConfiguration(let property, let reason) {
            #expect(!reason.isEmpty, sourceLocation: sourceLocation)
            return property
        } catch {
            Issue.record("expected invalidConfiguration, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    // MARK: Client

    @Test func clientDefaults() throws {
        let configuration = try KafkaClientConfiguration(properties: Self.bootstrap)
        #expect(configuration.bootstrapServers == [KafkaBrokerAddress(host: "localhost", port: 9092)])
        #expect(configuration.clientID == "swift-connect")
        #expect(configuration.requestTimeoutMs == 30_000)
        #expect(configuration.retryBackoffMs == 100)
        #expect(configuration.retryBackoffMaxMs == 1_000)
        #expect(configuration.metadataMaxAgeMs == 300_000)
        #expect(configuration.socketConnectionSetupTimeoutMs == 10_000)
        #expect(configuration.maximumResponseSize == 256 << 20)
    }

    @Test func clientReadsJavaPropertyNames() throws {
        let configuration = try KafkaClientConfiguration(
            properties: [
                "bootstrap.servers": " broker-1:9092 , broker-2:9093,[::1]:9094,",
                "client.id": "my-app",
                "request.timeout.ms": " 1500 ",
                "retry.backoff.ms": "20",
                "retry.backoff.max.ms": "400",
                "metadata.max.age.ms": "60000",
                "socket.connection.setup.timeout.ms": "3000",
                "max.response.size.bytes": "1048576",
                "some.unknown.property": "ignored",
            ]
        )
        #expect(
            configuration.bootstrapServers == [
                KafkaBrokerAddress(host: "broker-1", port: 9092),
                KafkaBrokerAddress(host: "broker-2", port: 9093),
                KafkaBrokerAddress(host: "::1", port: 9094),
            ]
        )
        #expect(configuration.bootstrapServers[2].description == "[::1]:9094")
        #expect(configuration.clientID == "my-app")
        #expect(configuration.requestTimeoutMs == 1_500)
        #expect(configuration.retryBackoffMs == 20)
        #expect(configuration.retryBackoffMaxMs == 400)
        #expect(configuration.metadataMaxAgeMs == 60_000)
        #expect(configuration.socketConnectionSetupTimeoutMs == 3_000)
        #expect(configuration.maximumResponseSize == 1 << 20)
    }

    @Test(arguments: [
        ([String: String](), "bootstrap.servers"),
        (["bootstrap.servers": ""], "bootstrap.servers"),
        (["bootstrap.servers": "localhost"], "bootstrap.servers"),
        (["bootstrap.servers": "localhost:0"], "bootstrap.servers"),
        (["bootstrap.servers": "localhost:65536"], "bootstrap.servers"),
        (["bootstrap.servers": ":9092"], "bootstrap.servers"),
        (["bootstrap.servers": " , "], "bootstrap.servers"),
        (["bootstrap.servers": "a:1", "request.timeout.ms": "soon"], "request.timeout.ms"),
        (["bootstrap.servers": "a:1", "request.timeout.ms": "0"], "request.timeout.ms"),
        (["bootstrap.servers": "a:1", "retry.backoff.ms": "-5"], "retry.backoff.ms"),
        (["bootstrap.servers": "a:1", "metadata.max.age.ms": "1.5"], "metadata.max.age.ms"),
        (["bootstrap.servers": "a:1", "max.response.size.bytes": "100"], "max.response.size.bytes"),
        (
            ["bootstrap.servers": "a:1", "socket.connection.setup.timeout.ms": "0"],
            "socket.connection.setup.timeout.ms"
        ),
    ])
    func clientRejectsBadValues(properties: [String: String], property: String) {
        #expect(Self.rejectedProperty { try KafkaClientConfiguration(properties: properties) } == property)
    }

    @Test func retryBackoffGrowsExponentiallyUpToTheMaximum() throws {
        let configuration = try KafkaClientConfiguration(
            properties: Self.with(["retry.backoff.ms": "100", "retry.backoff.max.ms": "1000"])
        )
        for _ in 0..<20 {
            #expect(
                (Duration.milliseconds(80)...Duration.milliseconds(120)).contains(
                    configuration.retryBackoff(attempt: 1)
                )
            )
            #expect(
                (Duration.milliseconds(160)...Duration.milliseconds(240)).contains(
                    configuration.retryBackoff(attempt: 2)
                )
            )
            #expect(
                (Duration.milliseconds(800)...Duration.milliseconds(1_200)).contains(
                    configuration.retryBackoff(attempt: 10)
                )
            )
            #expect(
                (Duration.milliseconds(800)...Duration.milliseconds(1_200)).contains(
                    configuration.retryBackoff(attempt: 1_000)
                )
            )
        }
    }

    // MARK: Producer

    @Test func producerDefaults() throws {
        let configuration = try KafkaProducerConfiguration(properties: Self.bootstrap)
        #expect(configuration.acks == -1)
        #expect(configuration.lingerMs == 5)
        #expect(configuration.batchSize == 16_384)
        #expect(configuration.compression == .none)
        #expect(configuration.maxInFlightRequestsPerConnection == 5)
        #expect(configuration.deliveryTimeoutMs == 120_000)
        #expect(configuration.retries == Int(Int32.max))
        #expect(configuration.maxRequestSize == 1_048_576)
        #expect(configuration.client.bootstrapServers.count == 1)
    }

    @Test func producerReadsJavaPropertyNames() throws {
        let configuration = try KafkaProducerConfiguration(
            properties: Self.with([
                "acks": "1",
                "linger.ms": "20",
                "batch.size": "65536",
                "compression.type": "zstd",
                "max.in.flight.requests.per.connection": "1",
                "delivery.timeout.ms": "30000",
                "retries": "3",
                "max.request.size": "2097152",
                "enable.idempotence": "false",
                "client.id": "producer-1",
            ])
        )
        #expect(configuration.acks == 1)
        #expect(configuration.lingerMs == 20)
        #expect(configuration.batchSize == 65_536)
        #expect(configuration.compression == .zstd)
        #expect(configuration.maxInFlightRequestsPerConnection == 1)
        #expect(configuration.deliveryTimeoutMs == 30_000)
        #expect(configuration.retries == 3)
        #expect(configuration.maxRequestSize == 2_097_152)
        #expect(configuration.client.clientID == "producer-1")
    }

    @Test(arguments: [("0", Int16(0)), ("1", 1), ("-1", -1), ("all", -1), ("ALL", -1), (" all ", -1)])
    func producerAcks(value: String, acks: Int16) throws {
        #expect(try KafkaProducerConfiguration(properties: Self.with(["acks": value])).acks == acks)
    }

    @Test(arguments: [
        ("none", KafkaCompression.none), ("gzip", .gzip), ("snappy", .snappy), ("lz4", .lz4), ("zstd", .zstd),
        ("GZIP", .gzip),
    ])
    func producerCompression(value: String, codec: KafkaCompression) throws {
        #expect(try KafkaProducerConfiguration(properties: Self.with(["compression.type": value])).compression == codec)
    }

    @Test(arguments: [
        ("acks", "2"),
        ("acks", "leader"),
        ("linger.ms", "-1"),
        ("linger.ms", "five"),
        ("batch.size", "16k"),
        ("compression.type", "brotli"),
        ("max.in.flight.requests.per.connection", "0"),
        ("delivery.timeout.ms", "0"),
        ("retries", "-1"),
        ("max.request.size", "0"),
        ("enable.idempotence", "maybe"),
    ])
    func producerRejectsBadValues(property: String, value: String) {
        #expect(
            Self.rejectedProperty { try KafkaProducerConfiguration(properties: Self.with([property: value])) }
                == property
        )
    }

    @Test func idempotenceIsOnByDefaultAndOffWhenSettingsConflictSilently() throws {
        #expect(try KafkaProducerConfiguration(properties: Self.with([:])).isIdempotent)
        #expect(try !KafkaProducerConfiguration(properties: Self.with(["acks": "1"])).isIdempotent)
        #expect(
            try !KafkaProducerConfiguration(properties: Self.with(["max.in.flight.requests.per.connection": "6"]))
                .isIdempotent
        )
        #expect(try !KafkaProducerConfiguration(properties: Self.with(["enable.idempotence": "false"])).isIdempotent)
    }

    @Test func explicitIdempotenceWithConflictingSettingsIsRejectedNamingTheSetting() {
        #expect(
            Self.rejectedProperty {
                try KafkaProducerConfiguration(properties: Self.with(["enable.idempotence": "true", "acks": "1"]))
            } == "acks"
        )
        #expect(
            Self.rejectedProperty {
                try KafkaProducerConfiguration(
                    properties: Self.with(["enable.idempotence": "true", "max.in.flight.requests.per.connection": "6"])
                )
            } == "max.in.flight.requests.per.connection"
        )
    }

    @Test func producerNeedsBootstrapServers() {
        #expect(
            Self.rejectedProperty { try KafkaProducerConfiguration(properties: ["acks": "1"]) } == "bootstrap.servers"
        )
    }

    // MARK: Consumer

    @Test func consumerDefaults() throws {
        let configuration = try KafkaConsumerConfiguration(properties: Self.bootstrap)
        #expect(configuration.fetchMinBytes == 1)
        #expect(configuration.fetchMaxWaitMs == 500)
        #expect(configuration.maxPartitionFetchBytes == 1_048_576)
        #expect(configuration.fetchMaxBytes == 52_428_800)
        #expect(configuration.maxPollRecords == 500)
        #expect(configuration.autoOffsetReset == .latest)
        #expect(configuration.isolationLevel == .readUncommitted)
        #expect(configuration.checkCRCs)
        #expect(configuration.clientRack == "")
    }

    @Test func consumerReadsJavaPropertyNames() throws {
        let configuration = try KafkaConsumerConfiguration(
            properties: Self.with([
                "fetch.min.bytes": "1024",
                "fetch.max.wait.ms": "100",
                "max.partition.fetch.bytes": "65536",
                "fetch.max.bytes": "1048576",
                "max.poll.records": "10",
                "auto.offset.reset": "earliest",
                "isolation.level": "read_committed",
                "check.crcs": "FALSE",
                "client.rack": "eu-west-1a",
            ])
        )
        #expect(configuration.fetchMinBytes == 1_024)
        #expect(configuration.fetchMaxWaitMs == 100)
        #expect(configuration.maxPartitionFetchBytes == 65_536)
        #expect(configuration.fetchMaxBytes == 1_048_576)
        #expect(configuration.maxPollRecords == 10)
        #expect(configuration.autoOffsetReset == .earliest)
        #expect(configuration.isolationLevel == .readCommitted)
        #expect(!configuration.checkCRCs)
        #expect(configuration.clientRack == "eu-west-1a")
        #expect(
            try KafkaConsumerConfiguration(properties: Self.with(["auto.offset.reset": "none"])).autoOffsetReset
                == .none
        )
    }

    @Test(arguments: [
        ("fetch.min.bytes", "-1"),
        ("fetch.max.wait.ms", "forever"),
        ("max.partition.fetch.bytes", "0"),
        ("fetch.max.bytes", "0"),
        ("max.poll.records", "0"),
        ("auto.offset.reset", "smallest"),
        ("isolation.level", "serializable"),
        ("check.crcs", "yes"),
    ])
    func consumerRejectsBadValues(property: String, value: String) {
        #expect(
            Self.rejectedProperty { try KafkaConsumerConfiguration(properties: Self.with([property: value])) }
                == property
        )
    }

    @Test func errorDescriptionNamesThePropertyAndTheValue() {
        do {
            _ = try KafkaProducerConfiguration(properties: Self.with(["linger.ms": "soon"]))
            Issue.record("expected an error")
        } catch {
            let text = "\(error)"
            #expect(text.contains("linger.ms"))
            #expect(text.contains("soon"))
        }
    }
}
