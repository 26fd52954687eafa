import KafkaNIO
import KafkaProtocol
import NIOCore
import Testing

/// KIP-360: when an idempotent producer loses track of a partition's sequence (a sequenced batch
/// failed for good), it bumps its epoch and restarts sequences at 0 instead of having every later
/// batch refused with OUT_OF_ORDER_SEQUENCE_NUMBER.
@Suite struct IdempotentEpochBumpTests {
    /// InitProducerId: a new id 50 (epoch 0), or the given id with the next epoch (a bump).
    /// Produce: batches stamped with epoch 0 are refused as out of order, others accepted.
    static func script() -> FakeKafkaBroker.Script {
        { request in
            switch request.api {
            case .initProducerId:
                guard let initRequest = try? request.decode(InitProducerIdRequest.self) else { return .close }
                if initRequest.producerId < 0 {
                    return .response(InitProducerIdResponse(producerId: 50, producerEpoch: 0))
                }
                return .response(
                    InitProducerIdResponse(
                        producerId: initRequest.producerId,
                        producerEpoch: initRequest.producerEpoch + 1
                    )
                )
            case .produce:
                guard let produce = try? request.decode(ProduceRequest.self) else { return .close }
                return .response(
                    ProduceResponse(
                        responses: produce.topicData.map { topic in
                            .init(
                                name: topic.name,
                                partitionResponses: topic.partitionData.map { partition in
                                    let epoch = partition.records.flatMap { RecordBatch.producerState(ofBatch: $0) }?
                                        .producerEpoch
                                    let code: KafkaErrorCode = epoch == 0 ? .outOfOrderSequenceNumber : .noError
                                    return .init(index: partition.index, errorCode: code.rawValue, baseOffset: 0)
                                }
                            )
                        }
                    )
                )
            default:
                return .standard
            }
        }
    }

    @Test func aLostSequenceBumpsTheEpochAndRestartsSequences() async throws {
        try await withFakeBroker(topics: ["t": 1]) { broker in
            broker.setScript(Self.script())
            var configuration = KafkaProducerConfiguration(client: clientConfiguration(broker))
            configuration.lingerMs = 0
            try await withProducer(configuration) { producer in
                let a = KafkaProducerRecord(topic: "t", partition: 0, value: ByteBuffer(string: "a"))
                let b = KafkaProducerRecord(topic: "t", partition: 0, value: ByteBuffer(string: "b"))
                let first = try await withTimeout { await producer.send(contentsOf: [a]) }
                guard case .failure(.broker(.outOfOrderSequenceNumber, _)) = first.first else {
                    Issue.record("expected OUT_OF_ORDER_SEQUENCE_NUMBER, got \(first)")
                    return
                }
                let second = try await withTimeout { await producer.send(contentsOf: [b]) }
                #expect(second.allSatisfy { (try? $0.get()) != nil }, "\(second)")
            }
            let inits = try broker.requests(.initProducerId).map { try $0.decode(InitProducerIdRequest.self) }
            #expect(inits.count == 2)
            #expect(inits.last?.producerId == 50)
            #expect(inits.last?.producerEpoch == 0)
            let stamps = try broker.requests(.produce).map { try $0.decode(ProduceRequest.self) }.compactMap {
                $0.topicData.first?.partitionData.first?.records.flatMap { RecordBatch.producerState(ofBatch: $0) }
            }
            #expect(stamps.map(\.producerEpoch) == [0, 1])
            #expect(stamps.map(\.baseSequence) == [0, 0], "sequences restart at 0 with the new epoch")
        }
    }
}
