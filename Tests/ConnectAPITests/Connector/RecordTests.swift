import ConnectAPI
import Testing

@Suite struct RecordTests {
    let source = SourceRecord(
        sourcePartition: ["filename": "/var/log/app.log"],
        sourceOffset: ["position": .int64(42)],
        topic: "logs",
        keySchema: .string,
        key: "host-1",
        valueSchema: .string,
        value: "a line",
        timestamp: 1000
    )

    @Test func copyingASourceRecordKeepsPartitionAndOffset() {
        var headers = Headers()
        headers.addString("h", "v")
        let moved = source.newRecord(
            topic: "logs-copy",
            kafkaPartition: 3,
            keySchema: nil,
            key: .null,
            valueSchema: .optionalString,
            value: "changed",
            timestamp: nil,
            headers: headers
        )
        #expect(moved.sourcePartition == ["filename": "/var/log/app.log"])
        #expect(moved.sourceOffset == ["position": .int64(42)])
        #expect(moved.topic == "logs-copy")
        #expect(moved.kafkaPartition == 3)
        #expect(moved.headers.count == 1)
        #expect(source.topic == "logs")

        // Without new headers, the copy keeps the originals.
        var withHeaders = source
        withHeaders.headers.addInt("n", 1)
        let kept = withHeaders.newRecord(
            topic: "t",
            kafkaPartition: nil,
            keySchema: nil,
            key: .null,
            valueSchema: nil,
            value: .null,
            timestamp: nil
        )
        #expect(kept.headers == withHeaders.headers)
    }

    @Test func sinkRecordsRememberWhereTheyWereConsumed() {
        let record = SinkRecord(
            topic: "orders",
            partition: 2,
            keySchema: .string,
            key: "k",
            valueSchema: .int64,
            value: .int64(9),
            kafkaOffset: 77,
            timestamp: 123,
            timestampType: .createTime
        )
        #expect(record.originalTopic == "orders")
        #expect(record.originalKafkaPartition == 2)
        #expect(record.originalKafkaOffset == 77)
        var routed = record
        routed.topic = "archive-orders"
        routed.kafkaPartition = 0
        #expect(routed.originalTopic == "orders")
        #expect(routed.originalTopicPartition == TopicPartition("orders", 2))
        #expect(routed.kafkaOffset == 77)
        #expect(routed.timestampType == .createTime)
        #expect(routed != record)
        let copied = record.newRecord(
            topic: "x",
            kafkaPartition: 1,
            keySchema: nil,
            key: .null,
            valueSchema: nil,
            value: .null,
            timestamp: nil
        )
        #expect(copied.originalKafkaOffset == 77)
        #expect(copied.kafkaOffset == 77)
    }

    @Test func recordsDescribeThemselvesLikeKafka() {
        #expect(
            source.description
                == "SourceRecord{sourcePartition={filename=/var/log/app.log}, sourceOffset={position=42}} "
                + "ConnectRecord{topic='logs', kafkaPartition=null, key=host-1, keySchema=Schema{STRING}, value=a line, "
                + "valueSchema=Schema{STRING}, timestamp=1000, headers=ConnectHeaders(headers=)}"
        )
        #expect(TopicPartition("t", 0).description == "t-0")
        #expect(SinkRecord.TimestampType.logAppendTime.description == "LogAppendTime")
    }

    @Test func genericCodeWorksOnBothRecordTypes() {
        func prefixed<R: ConnectRecord>(_ record: R) -> R {
            var copy = record
            copy.topic = "p." + record.topic
            return copy
        }
        #expect(prefixed(source).topic == "p.logs")
        let sink = SinkRecord(topic: "t", partition: 0, valueSchema: nil, value: .null, kafkaOffset: 0)
        #expect(prefixed(sink).topic == "p.t")
    }

    @Test func sourceRecordCopiesAreIndependentValues() {
        let original = SourceRecord(
            sourcePartition: ["f": .string("a")],
            sourceOffset: ["p": .int64(1)],
            topic: "t",
            valueSchema: .string,
            value: .string("v")
        )
        var copy = original
        #expect(copy == original)
        copy.topic = "u"
        copy.headers.addString("h", "x")
        copy.value = .string("w")
        #expect(original.topic == "t" && original.headers.isEmpty && original.value == .string("v"))
        #expect(copy.topic == "u" && copy.headers.count == 1 && copy.value == .string("w"))
        #expect(copy != original)
        #expect(copy.sourcePartition == original.sourcePartition)
        var restored = copy
        restored.topic = "t"
        restored.headers = Headers()
        restored.value = .string("v")
        #expect(restored == original && restored.hashValue == original.hashValue)
    }
}
