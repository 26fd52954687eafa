// ConnectTransforms: Kafka Connect's single message transforms (SMTs) and predicates, and the pieces
// a runtime needs to run them (spec §3.6, §5.6, §6).
//
// - Transforms/   One type per Kafka SMT, with Kafka's config names, defaults and messages. Transforms
//                 with `$Key`/`$Value` variants are generic over `RecordPart` (`Cast<RecordValue>` is
//                 `org.apache.kafka.connect.transforms.Cast$Value`). Schema-changing transforms cache the
//                 schemas they derive (LRU of 16 per transform, as Kafka).
// - Predicates/   TopicNameMatches, HasHeaderKey, RecordIsTombstone.
// - Runtime/      `TransformationStage` (transform + predicate + negate), `TransformationChain`, and
//                 `TransformationRegistry` (class names and aliases → factories; no global state;
//                 `makeStages(connectorConfig:)` reads the `transforms`/`predicates` syntax).
// - Support/      Java semantics the SMTs depend on: `SimpleDateFormat` (UTC), regex `matches()` and
//                 `replaceFirst` (ICU through NSRegularExpression), number parsing and narrowing, Kafka's
//                 `Values.parseString`, KIP-821 field paths, the schema cache.
//
// Behaviour follows Apache Kafka 3.9; deviations are documented on the types concerned.
