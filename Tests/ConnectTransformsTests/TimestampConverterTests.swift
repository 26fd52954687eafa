import ConnectAPI
import Testing

@testable import ConnectTransforms

@Suite struct TimestampConverterTests {
    typealias ConvertValue = TimestampConverter<RecordValue>
    typealias ConvertKey = TimestampConverter<RecordKey>

    // Kafka's fixtures: DATE = 1970-01-02, TIME = 00:00:01.234, DATE_PLUS_TIME = 1970-01-02T00:00:01.234Z.
    static let datePlusTimeMillis: Int64 = 86_401_234
    static let datePlusTime = ConnectValue.timestamp(millis: datePlusTimeMillis)
    static let date = ConnectValue.date(days: 1)
    static let time = ConnectValue.time(millis: 1234)
    static let datePlusTimeUnixMicros: Int64 = 86_401_234_123
    static let datePlusTimeUnixNanos: Int64 = 86_401_234_123_456
    static let datePlusTimeUnixSeconds: Int64 = 86401
    static let stringFormat = "yyyy MM dd HH mm ss SSS z"
    static let datePlusTimeString = "1970 01 02 00 00 01 234 UTC"

    private static func convert(
        _ config: [String: String],
        _ schema: Schema?,
        _ value: ConnectValue
    ) throws -> SourceRecord {
        try #require(try ConvertValue(configs: config).apply(sourceRecord(valueSchema: schema, value: value)))
    }

    // MARK: Configuration

    @Test func configErrors() {
        #expect(
            configErrorMessage { _ = try ConvertValue(configs: [:]) }
                == "Missing required configuration \"target.type\" which has no default value."
        )
        #expect(
            configErrorMessage { _ = try ConvertValue(configs: ["target.type": "invalid"]) }
                == "Invalid value invalid for configuration target.type: String must be one of: string, unix, Date, Time, "
                + "Timestamp"
        )
        #expect(
            configErrorMessage { _ = try ConvertValue(configs: ["target.type": "unix", "unix.precision": "invalid"]) }
                == "Invalid value invalid for configuration unix.precision: String must be one of: nanoseconds, "
                + "microseconds, milliseconds, seconds"
        )
        #expect(
            configErrorMessage { _ = try ConvertValue(configs: ["target.type": "string"]) }
                == "Invalid value  for configuration format: TimestampConverter requires format option to be specified "
                + "when using string timestamps"
        )
        #expect(
            configErrorMessage { _ = try ConvertValue(configs: ["target.type": "string", "format": "bad-format"]) }
                == "Invalid value bad-format for configuration format: TimestampConverter requires a "
                + "SimpleDateFormat-compatible pattern for string timestamps: Illegal pattern character 'b'"
        )
        #expect(throws: Never.self) { try ConvertValue(configs: ["target.type": "unix", "unix.precision": "seconds"]) }
    }

    // MARK: Schemaless

    @Test func schemalessFromTimestamp() throws {
        #expect(try Self.convert(["target.type": "Timestamp"], nil, Self.datePlusTime).value == Self.datePlusTime)
        #expect(try Self.convert(["target.type": "Date"], nil, Self.datePlusTime).value == Self.date)
        #expect(try Self.convert(["target.type": "Time"], nil, Self.datePlusTime).value == Self.time)
        #expect(
            try Self.convert(["target.type": "unix"], nil, Self.datePlusTime).value == .int64(Self.datePlusTimeMillis)
        )
        let string = try Self.convert(["target.type": "string", "format": Self.stringFormat], nil, Self.datePlusTime)
        #expect(string.valueSchema == nil)
        #expect(string.value == .string(Self.datePlusTimeString))
    }

    @Test func schemalessToTimestamp() throws {
        #expect(try Self.convert(["target.type": "Timestamp"], nil, Self.date).value == .timestamp(millis: 86_400_000))
        #expect(try Self.convert(["target.type": "Timestamp"], nil, Self.time).value == .timestamp(millis: 1234))
        #expect(
            try Self.convert(["target.type": "Timestamp"], nil, .int64(Self.datePlusTimeMillis)).value
                == Self.datePlusTime
        )
        let parsed = try Self.convert(
            ["target.type": "Timestamp", "format": Self.stringFormat],
            nil,
            .string(Self.datePlusTimeString)
        )
        #expect(parsed.valueSchema == nil)
        #expect(parsed.value == Self.datePlusTime)
    }

    @Test(arguments: ["string", "Date", "Timestamp", "unix", "Time"])
    func schemalessNulls(targetType: String) throws {
        let whole = try Self.convert(["target.type": targetType, "format": Self.stringFormat], nil, .null)
        #expect(whole.valueSchema == nil && whole.value == .null)
        let field = try Self.convert(
            ["target.type": targetType, "format": Self.stringFormat, "field": "ts"],
            nil,
            .null
        )
        #expect(field.valueSchema == nil && field.value == .null)
    }

    @Test func schemalessFieldConversion() throws {
        let transformed = try Self.convert(
            ["target.type": "Date", "field": "ts"],
            nil,
            map(["ts": Self.datePlusTime, "other": "x"])
        )
        #expect(transformed.valueSchema == nil)
        #expect(transformed.value == map(["ts": Self.date, "other": "x"]))
    }

    // MARK: With schema

    @Test func withSchemaFromTimestamp() throws {
        let identity = try Self.convert(["target.type": "Timestamp"], .timestamp, Self.datePlusTime)
        #expect(identity.valueSchema == .timestamp && identity.value == Self.datePlusTime)
        let date = try Self.convert(["target.type": "Date"], .timestamp, Self.datePlusTime)
        #expect(date.valueSchema == .date && date.value == Self.date)
        let time = try Self.convert(["target.type": "Time"], .timestamp, Self.datePlusTime)
        #expect(time.valueSchema == .time && time.value == Self.time)
        let unix = try Self.convert(["target.type": "unix"], .timestamp, Self.datePlusTime)
        #expect(unix.valueSchema == .int64 && unix.value == .int64(Self.datePlusTimeMillis))
        let string = try Self.convert(
            ["target.type": "string", "format": Self.stringFormat],
            .timestamp,
            Self.datePlusTime
        )
        #expect(string.valueSchema == .string && string.value == .string(Self.datePlusTimeString))
    }

    @Test func withSchemaToTimestamp() throws {
        let fromDate = try Self.convert(["target.type": "Timestamp"], .date, Self.date)
        #expect(fromDate.valueSchema == .timestamp && fromDate.value == .timestamp(millis: 86_400_000))
        let fromTime = try Self.convert(["target.type": "Timestamp"], .time, Self.time)
        #expect(fromTime.valueSchema == .timestamp && fromTime.value == .timestamp(millis: 1234))
        let fromUnix = try Self.convert(["target.type": "Timestamp"], .int64, .int64(Self.datePlusTimeMillis))
        #expect(fromUnix.valueSchema == .timestamp && fromUnix.value == Self.datePlusTime)
        let fromString = try Self.convert(
            ["target.type": "Timestamp", "format": Self.stringFormat],
            .string,
            .string(Self.datePlusTimeString)
        )
        #expect(fromString.valueSchema == .timestamp && fromString.value == Self.datePlusTime)
    }

    static let optionalInputs: [Schema] = [
        .optionalInt64, TimestampConverterConfig.optionalTime, TimestampConverterConfig.optionalDate, .optionalString,
        TimestampConverterConfig.optionalTimestamp,
    ]

    @Test(arguments: [
        ("Timestamp", TimestampConverterConfig.optionalTimestamp), ("unix", Schema.optionalInt64),
        ("Time", TimestampConverterConfig.optionalTime), ("Date", TimestampConverterConfig.optionalDate),
        ("string", Schema.optionalString),
    ])
    func withSchemaNulls(targetType: String, expectedSchema: Schema) throws {
        let config = ["target.type": targetType, "format": Self.stringFormat]
        for original in Self.optionalInputs {
            let whole = try Self.convert(config, original, .null)
            #expect(whole.valueSchema == expectedSchema)
            #expect(whole.value == .null)

            var fieldConfig = config
            fieldConfig["field"] = "ts"
            let structSchema = try SchemaBuilder.struct().field("ts", original).field("other", .string).build()
            let expectedStruct = try SchemaBuilder.struct().field("ts", expectedSchema).field("other", .string).build()
            let value = try makeStruct(structSchema, ["other": "test"])
            let field = try Self.convert(fieldConfig, structSchema, .struct(value))
            #expect(field.valueSchema == expectedStruct)
            #expect(try structValue(field.value).get("ts") == .null)

            let optionalStruct = try SchemaBuilder.struct().field("ts", original).field("other", .string).optional()
                .build()
            let nullStruct = try Self.convert(fieldConfig, optionalStruct, .null)
            #expect(
                nullStruct.valueSchema
                    == (try SchemaBuilder.struct().field("ts", expectedSchema).field("other", .string).optional()
                        .build())
            )
            #expect(nullStruct.value == .null)
        }
    }

    @Test func withSchemaFieldConversion() throws {
        let schema = try structSchema(("ts", .int64), ("other", .string))
        let value = try makeStruct(schema, ["ts": .int64(Self.datePlusTimeMillis), "other": "test"])
        let transformed = try Self.convert(["target.type": "Timestamp", "field": "ts"], schema, .struct(value))
        #expect(transformed.valueSchema == (try structSchema(("ts", .timestamp), ("other", .string))))
        #expect(try structValue(transformed.value).get("ts") == Self.datePlusTime)
        #expect(try structValue(transformed.value).get("other") == "test")
    }

    @Test(arguments: [false, true])
    func nullFieldWithDefaultNotReplaced(replaceNullWithDefault: Bool) throws {
        let schema = try structSchema(
            ("ts", SchemaBuilder.int64().optional().defaultValue(.int64(0)).build()),
            ("other", .string)
        )
        let value = try makeStruct(schema, ["other": "test"])
        let transformed = try Self.convert(
            ["target.type": "Timestamp", "field": "ts", "replace.null.with.default": String(replaceNullWithDefault)],
            schema,
            .struct(value)
        )
        #expect(
            transformed.valueSchema
                == (try structSchema(("ts", TimestampConverterConfig.optionalTimestamp), ("other", .string)))
        )
        // The new field schema has no default, so with replacement the old default (0) is converted.
        #expect(
            try structValue(transformed.value).get("ts") == (replaceNullWithDefault ? .timestamp(millis: 0) : .null)
        )
    }

    @Test func unixPrecisions() throws {
        let schema = try structSchema(("ts", .int64))
        for (precision, input) in [
            ("microseconds", Self.datePlusTimeUnixMicros), ("nanoseconds", Self.datePlusTimeUnixNanos),
        ] {
            let value = try makeStruct(schema, ["ts": .int64(input)])
            let transformed = try Self.convert(
                ["target.type": "Timestamp", "field": "ts", "unix.precision": precision],
                schema,
                .struct(value)
            )
            #expect(try structValue(transformed.value).get("ts") == Self.datePlusTime, "\(precision)")
        }
        let seconds = try makeStruct(schema, ["ts": .int64(Self.datePlusTimeUnixSeconds)])
        let fromSeconds = try Self.convert(
            ["target.type": "Timestamp", "field": "ts", "unix.precision": "seconds"],
            schema,
            .struct(seconds)
        )
        #expect(try structValue(fromSeconds.value).get("ts") == .timestamp(millis: 86_401_000))

        let config = ["target.type": "unix", "format": Self.stringFormat]
        var micros = config
        micros["unix.precision"] = "microseconds"
        #expect(try Self.convert(micros, nil, .string(Self.datePlusTimeString)).value == .int64(86_401_234_000))
        var nanos = config
        nanos["unix.precision"] = "nanoseconds"
        #expect(try Self.convert(nanos, nil, .string(Self.datePlusTimeString)).value == .int64(86_401_234_000_000))
        var secondsConfig = config
        secondsConfig["unix.precision"] = "seconds"
        #expect(
            try Self.convert(secondsConfig, nil, .string(Self.datePlusTimeString)).value
                == .int64(Self.datePlusTimeUnixSeconds)
        )
    }

    @Test func keyVariant() throws {
        let xform = try ConvertKey(configs: ["target.type": "Timestamp"])
        let transformed = try #require(try xform.apply(sourceRecord(key: Self.datePlusTime)))
        #expect(transformed.keySchema == nil)
        #expect(transformed.key == Self.datePlusTime)
    }

    @Test func badInputsAreDataErrors() throws {
        #expect(
            dataErrorMessage {
                _ = try Self.convert(["target.type": "Timestamp", "format": "yyyy-MM-dd"], nil, "not a date")
            }
                == "Could not parse timestamp: value (not a date) does not match pattern (yyyy-MM-dd)"
        )
        #expect(
            dataErrorMessage { _ = try Self.convert(["target.type": "Date"], nil, .int32(5)) }
                == "TimestampConverter does not support class java.lang.Integer objects as timestamps"
        )
        #expect(
            dataErrorMessage { _ = try Self.convert(["target.type": "Date"], .int32, .int32(5)) }
                == "Schema Schema{INT32} does not correspond to a known timestamp type format"
        )
        #expect(
            dataErrorMessage { _ = try Self.convert(["target.type": "Date"], .string, "2024-01-01") }
                == "TimestampConverter requires format option to be specified when using string timestamps"
        )
        #expect(
            dataErrorMessage { _ = try Self.convert(["target.type": "Date", "field": "ts"], nil, .int64(1)) }
                == "Only Map objects supported in absence of schema for [converting timestamp formats], found: java.lang.Long"
        )
    }

    @Test func formattingWithOtherPatterns() throws {
        let iso = try Self.convert(
            ["target.type": "string", "format": "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"],
            .timestamp,
            .timestamp(millis: 1_706_708_700_123)
        )
        #expect(iso.value == "2024-01-31T13:45:00.123Z")
        let parsed = try Self.convert(
            ["target.type": "unix", "format": "dd/MM/yyyy HH:mm"],
            .string,
            "31/01/2024 13:45"
        )
        #expect(parsed.value == .int64(1_706_708_700_000))
        let withOffset = try Self.convert(
            ["target.type": "unix", "format": "yyyy-MM-dd HH:mm Z"],
            .string,
            "2024-01-31 14:45 +0100"
        )
        #expect(withOffset.value == .int64(1_706_708_700_000))
    }
}
