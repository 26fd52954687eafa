// ConnectAPI: what connector, converter and transform authors import (Kafka's `connect/api`, plus the
// parts of `clients/.../common/config` that plugins use). No dependency beyond the standard library;
// Foundation only in the config providers, off every hot path.
//
// Map of the module:
//
// - Data/       The data model. `Schema` (immutable final class, compares by content) with `Schema.Kind`,
//               built by `SchemaBuilder` or taken from the predefined `Schema.int32`, `.optionalString`,
//               … and the logical `Schema.decimal(scale:)`, `.date`, `.time`, `.timestamp`.
//               `ConnectValue` (an enum: one case per kind, `.null`, and the logical `.decimal`,
//               `.date(days:)`, `.time(millis:)`, `.timestamp(millis:)`) for schema'd and schemaless data;
//               `ConnectMap` (insertion-ordered map), `Struct` (field values in an array indexed by
//               `Field.index`), `ConnectDecimal`, `LogicalType` (conversions to and from the encoded
//               int32/int64/bytes form), `SchemaAndValue`. Validation: `Schema.validate(_:)`.
// - Connector/, Source/, Sink/
//               The plugin contract: `Connector` (`SourceConnector`, `SinkConnector`), `ConnectorTask`
//               (`SourceTask`, `SinkTask`), the contexts the runtime implements, `ConnectRecord`
//               (`SourceRecord`, `SinkRecord`: structs, copy to change), `TopicPartition`,
//               `OffsetAndMetadata`, `RecordMetadata`, `OffsetStorageReader`, `ErrantRecordReporter`.
// - Header/     `Header` and `Headers` (ordered, duplicate keys allowed).
// - Transforms/ `Transformation` and `RecordPredicate`.
// - Errors/     `ConnectError`, `RetriableError`, `DataError`, `ConfigError`: distinct types.
// - Config/     `ConfigDef`/`ConfigKey`/`ConfigType`/`ConfigValidator`/`ConfigRecommender`, parsing to
//               `ParsedConfigValue`/`ParsedConfig` (Kafka's `AbstractConfig`), `Password`, validation to
//               `ConfigValue`/`Config`, the REST validate body `ConfigInfos`, and config providers
//               (`ConfigTransformer`, `FileConfigProvider`, `DirectoryConfigProvider`,
//               `EnvVarConfigProvider`, `JavaProperties`).
//
// Behaviour follows Apache Kafka 3.9 (see ../shared/spec/kafka-connect.md §3, §4, §5); deviations are
// documented on the declarations concerned.
