import ConnectAPI
import ConnectJSON
import Testing

/// Exact bytes of Kafka's JsonConverter output.
///
/// Where the expected text comes from, per case (all from Apache Kafka 3.9 sources):
/// - "JCT.<test>": `connect/json/src/test/java/org/apache/kafka/connect/json/JsonConverterTest.java`, which
///   compares JSON trees; the byte order of members follows from `JsonConverter.asJsonSchema` (members
///   added in the order `type`, `items`/`keys`+`values`/`fields`, `optional`, `name`, `version`, `doc`,
///   `parameters`, `default`; struct field entries get `field` last), `JsonSchema.envelope` (`schema`
///   then `payload`), `convertToJson` (struct fields in field order, maps in iteration order) and
///   Jackson's compact writer (no whitespace).
/// - "JCT.<test> (literal)": the test contains the exact serialized string.
/// - "spec §4.4": the example in shared/spec/kafka-connect.md §4.4 with its whitespace removed.
/// - "Java": the text of `Double.toString`/`Float.toString` (JDK 19+ javadoc, Jackson's
///   `NumberOutput.toString`) and Jackson 2.16 `UTF8JsonGenerator` string escaping (`CharTypes`
///   `sOutputEscapes128`, upper-case hex) and `writeNumber(double)` quoting of non-finite values.
@Suite struct JSONConverterGoldenTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let schema: Schema?
        let value: ConnectValue
        var schemasEnabled = true
        var decimalFormat = "BASE64"
        var replaceNullWithDefault = true
        let expected: String?

        var testDescription: String { name }
    }

    static let order = try! SchemaBuilder.struct().name("com.example.Order")
        .field("id", .int32)
        .field("name", .optionalString)
        .field("price", .decimal(scale: 2))
        .field("ts", try! SchemaBuilder.timestamp().optional().build())
        .build()

    static let fourFields = try! SchemaBuilder.struct()
        .field("field1", .boolean).field("field2", .string).field("field3", .string).field("field4", .boolean)
        .build()

    static let optionalStringWithDefault = try! SchemaBuilder.string().optional().defaultValue("default").build()
    static let structWithDefaultField = try! SchemaBuilder.struct().field("field1", optionalStringWithDefault).build()

    static let address = try! SchemaBuilder.struct().name("Address")
        .field("street", .string)
        .field("zip", .optionalInt32)
        .build()
    static let person = try! SchemaBuilder.struct().name("Person").version(2).doc("A person")
        .field("name", .string)
        .field("home", address)
        .field("previous", try! SchemaBuilder.array(address).optional().build())
        .field("tags", try! SchemaBuilder.map(.string, .int64).build())
        .build()

    static let cases: [Case] = [
        // 1. JCT.booleanToJson
        Case(
            name: "boolean",
            schema: .boolean,
            value: .boolean(true),
            expected: #"{"schema":{"type":"boolean","optional":false},"payload":true}"#
        ),
        // 2. JCT.byteToJson
        Case(
            name: "int8",
            schema: .int8,
            value: .int8(12),
            expected: #"{"schema":{"type":"int8","optional":false},"payload":12}"#
        ),
        // 3. JCT.shortToJson
        Case(
            name: "int16",
            schema: .int16,
            value: .int16(12),
            expected: #"{"schema":{"type":"int16","optional":false},"payload":12}"#
        ),
        // 4. JCT.intToJson
        Case(
            name: "int32",
            schema: .int32,
            value: .int32(12),
            expected: #"{"schema":{"type":"int32","optional":false},"payload":12}"#
        ),
        // 5. JCT.longToJson
        Case(
            name: "int64",
            schema: .int64,
            value: .int64(4_398_046_511_104),
            expected: #"{"schema":{"type":"int64","optional":false},"payload":4398046511104}"#
        ),
        // 6. JCT.floatToJson; Java Float.toString(12.34f) = "12.34"
        Case(
            name: "float32",
            schema: .float32,
            value: .float32(12.34),
            expected: #"{"schema":{"type":"float","optional":false},"payload":12.34}"#
        ),
        // 7. JCT.doubleToJson
        Case(
            name: "float64",
            schema: .float64,
            value: .float64(12.34),
            expected: #"{"schema":{"type":"double","optional":false},"payload":12.34}"#
        ),
        // 8. JCT.bytesToJson; Base64 "dGVzdC1zdHJpbmc=" as in JCT.bytesToConnect
        Case(
            name: "bytes",
            schema: .bytes,
            value: .bytes(Array("test-string".utf8)),
            expected: #"{"schema":{"type":"bytes","optional":false},"payload":"dGVzdC1zdHJpbmc="}"#
        ),
        // 9. JCT.stringToJson
        Case(
            name: "string",
            schema: .string,
            value: .string("test-string"),
            expected: #"{"schema":{"type":"string","optional":false},"payload":"test-string"}"#
        ),
        // 10. JCT.arrayToJson
        Case(
            name: "array",
            schema: try! SchemaBuilder.array(.int32).build(),
            value: [.int32(1), .int32(2), .int32(3)],
            expected:
                #"{"schema":{"type":"array","items":{"type":"int32","optional":false},"optional":false},"payload":[1,2,3]}"#
        ),
        // 11. JCT.mapToJsonStringKeys
        Case(
            name: "map with string keys",
            schema: try! SchemaBuilder.map(.string, .int32).build(),
            value: .map(["key1": .int32(12), "key2": .int32(15)]),
            expected:
                #"{"schema":{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":{"key1":12,"key2":15}}"#
        ),
        // 12. JCT.mapToJsonNonStringKeys: pairs [[key, value], …]
        Case(
            name: "map with int keys",
            schema: try! SchemaBuilder.map(.int32, .int32).build(),
            value: .map([.int32(1): .int32(12), .int32(2): .int32(15)]),
            expected:
                #"{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":[[1,12],[2,15]]}"#
        ),
        // 13. JCT.structToJson
        Case(
            name: "struct",
            schema: fourFields,
            value: .struct(try! Struct(schema: fourFields, values: [true, "string2", "string3", false])),
            expected:
                #"{"schema":{"type":"struct","fields":[{"type":"boolean","optional":false,"field":"field1"},{"type":"string","optional":false,"field":"field2"},{"type":"string","optional":false,"field":"field3"},{"type":"boolean","optional":false,"field":"field4"}],"optional":false},"payload":{"field1":true,"field2":"string2","field3":"string3","field4":false}}"#
        ),
        // 14. JCT.decimalToJson: 1.56 → unscaled 156 → bytes 00 9C → "AJw=" (JCT.decimalToConnect)
        Case(
            name: "decimal BASE64",
            schema: .decimal(scale: 2),
            value: .decimal(ConnectDecimal(unscaled: 156, scale: 2)),
            expected:
                #"{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"AJw="}"#
        ),
        // 15. JCT.decimalToNumericJson
        Case(
            name: "decimal NUMERIC",
            schema: .decimal(scale: 2),
            value: .decimal(ConnectDecimal(unscaled: 156, scale: 2)),
            decimalFormat: "NUMERIC",
            expected:
                #"{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":1.56}"#
        ),
        // 16. JCT.decimalWithTrailingZerosToNumericJson (BigDecimal.toString keeps the scale)
        Case(
            name: "decimal NUMERIC trailing zeros",
            schema: .decimal(scale: 4),
            value: .decimal(ConnectDecimal(unscaled: 15600, scale: 4)),
            decimalFormat: "numeric",
            expected:
                #"{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"4"}},"payload":1.5600}"#
        ),
        // 17. JCT.dateToJson
        Case(
            name: "date",
            schema: .date,
            value: .date(days: 10000),
            expected:
                #"{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1},"payload":10000}"#
        ),
        // 18. JCT.timeToJson
        Case(
            name: "time",
            schema: .time,
            value: .time(millis: 14_400_000),
            expected:
                #"{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Time","version":1},"payload":14400000}"#
        ),
        // 19. JCT.timestampToJson
        Case(
            name: "timestamp",
            schema: .timestamp,
            value: .timestamp(millis: 4_000_000_000),
            expected:
                #"{"schema":{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1},"payload":4000000000}"#
        ),
        // 20. JCT.testJsonSchemaMetadataTranslation (name, version, doc, parameters)
        Case(
            name: "schema metadata",
            schema: try! SchemaBuilder.boolean().required().name("bool").version(3).doc("the documentation").parameter(
                "foo",
                "bar"
            ).build(),
            value: .boolean(true),
            expected:
                #"{"schema":{"type":"boolean","optional":false,"name":"bool","version":3,"doc":"the documentation","parameters":{"foo":"bar"}},"payload":true}"#
        ),
        // 21. JCT.testJsonSchemaMetadataTranslation (default)
        Case(
            name: "schema default",
            schema: try! SchemaBuilder.boolean().defaultValue(true).build(),
            value: .boolean(true),
            expected: #"{"schema":{"type":"boolean","optional":false,"default":true},"payload":true}"#
        ),
        // 22. JCT.testJsonSchemaMetadataTranslation (optional null)
        Case(
            name: "optional null",
            schema: .optionalBoolean,
            value: .null,
            expected: #"{"schema":{"type":"boolean","optional":true},"payload":null}"#
        ),
        // 23. JCT.serializeNullToDefault (literal)
        Case(
            name: "null replaced with default",
            schema: optionalStringWithDefault,
            value: .null,
            expected: #"{"schema":{"type":"string","optional":true,"default":"default"},"payload":"default"}"#
        ),
        // 24. JCT.serializeNullToNull (literal)
        Case(
            name: "null kept without replace.null.with.default",
            schema: optionalStringWithDefault,
            value: .null,
            replaceNullWithDefault: false,
            expected: #"{"schema":{"type":"string","optional":true,"default":"default"},"payload":null}"#
        ),
        // 25. JCT.serializeFieldNullToDefault (literal, with "field" moved last as asJsonSchema writes it)
        Case(
            name: "null field replaced with default",
            schema: structWithDefaultField,
            value: .struct(try! Struct(schema: structWithDefaultField)),
            expected:
                #"{"schema":{"type":"struct","fields":[{"type":"string","optional":true,"default":"default","field":"field1"}],"optional":false},"payload":{"field1":"default"}}"#
        ),
        // 26. JCT.serializeFieldNullToNull (literal, "field" last)
        Case(
            name: "null field kept",
            schema: structWithDefaultField,
            value: .struct(try! Struct(schema: structWithDefaultField)),
            replaceNullWithDefault: false,
            expected:
                #"{"schema":{"type":"struct","fields":[{"type":"string","optional":true,"default":"default","field":"field1"}],"optional":false},"payload":{"field1":null}}"#
        ),
        // 27. JCT.nullSchemaAndPrimitiveToJson
        Case(
            name: "schemaless boolean in envelope",
            schema: nil,
            value: .boolean(true),
            expected: #"{"schema":null,"payload":true}"#
        ),
        // 28. JCT.nullSchemaAndArrayToJson
        Case(
            name: "schemaless mixed array",
            schema: nil,
            value: [.int32(1), "string", true],
            expected: #"{"schema":null,"payload":[1,"string",true]}"#
        ),
        // 29. JCT.nullSchemaAndMapToJson
        Case(
            name: "schemaless map",
            schema: nil,
            value: ["key1": .int32(12), "key2": "string", "key3": true],
            expected: #"{"schema":null,"payload":{"key1":12,"key2":"string","key3":true}}"#
        ),
        // 30. JCT.nullSchemaAndMapNonStringKeysToJson: any non-string key makes it an array of pairs
        Case(
            name: "schemaless map with non-string keys",
            schema: nil,
            value: .map(["string": .int32(12), .int32(52): "string", .boolean(false): .boolean(true)]),
            expected: #"{"schema":null,"payload":[["string",12],[52,"string"],[false,true]]}"#
        ),
        // 31. JCT.noSchemaToJson
        Case(name: "schemas disabled", schema: nil, value: .boolean(true), schemasEnabled: false, expected: "true"),
        // 32. spec §4.4 null handling: optional schema, null value, no envelope → the 4 bytes `null`
        Case(
            name: "schemas disabled optional null",
            schema: .optionalString,
            value: .null,
            schemasEnabled: false,
            expected: "null"
        ),
        // 33. JCT.nullSchemaAndNullValueToJson / JCT.nullValueToJson: a tombstone
        Case(name: "tombstone", schema: nil, value: .null, expected: nil),
        // 34. spec §4.4 example (12.34 → unscaled 1234 → 04 D2 → "BNI=")
        Case(
            name: "spec order example",
            schema: order,
            value: .struct(
                try! Struct(
                    schema: order,
                    values: [
                        .int32(1), .null, .decimal(ConnectDecimal(unscaled: 1234, scale: 2)),
                        .timestamp(millis: 1_700_000_000_000),
                    ]
                )
            ),
            expected:
                #"{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"field":"name"},{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"field":"price"},{"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"ts"}],"optional":false,"name":"com.example.Order"},"payload":{"id":1,"name":null,"price":"BNI=","ts":1700000000000}}"#
        ),
        // 35. spec §4.4 example with decimal.format=NUMERIC ("the payload would contain 12.34")
        Case(
            name: "spec order example NUMERIC",
            schema: order,
            value: .struct(
                try! Struct(
                    schema: order,
                    values: [
                        .int32(1), .null, .decimal(ConnectDecimal(unscaled: 1234, scale: 2)),
                        .timestamp(millis: 1_700_000_000_000),
                    ]
                )
            ),
            decimalFormat: "NUMERIC",
            expected:
                #"{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"field":"name"},{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"field":"price"},{"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"ts"}],"optional":false,"name":"com.example.Order"},"payload":{"id":1,"name":null,"price":12.34,"ts":1700000000000}}"#
        ),
        // 36. Nested structs, array of structs, map; asJsonSchema recursion (struct name/version/doc after
        //     optional), JCT.structToJson + JCT.arrayToJson + JCT.mapToJsonStringKeys shapes.
        Case(
            name: "nested structs",
            schema: person,
            value: .struct(
                try! Struct(
                    schema: person,
                    values: [
                        "Ada",
                        .struct(try! Struct(schema: address, values: ["1 Main St", .int32(12345)])),
                        [.struct(try! Struct(schema: address, values: ["2 Side St", .null]))],
                        .map(["a": .int64(1)]),
                    ]
                )
            ),
            expected:
                #"{"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"name"},{"type":"struct","fields":[{"type":"string","optional":false,"field":"street"},{"type":"int32","optional":true,"field":"zip"}],"optional":false,"name":"Address","field":"home"},{"type":"array","items":{"type":"struct","fields":[{"type":"string","optional":false,"field":"street"},{"type":"int32","optional":true,"field":"zip"}],"optional":false,"name":"Address"},"optional":true,"field":"previous"},{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int64","optional":false},"optional":false,"field":"tags"}],"optional":false,"name":"Person","version":2,"doc":"A person"},"payload":{"name":"Ada","home":{"street":"1 Main St","zip":12345},"previous":[{"street":"2 Side St","zip":null}],"tags":{"a":1}}}"#
        ),
        // 37. Java Double.toString: scientific outside [1e-3, 1e7), plain with ".0" inside, "-0.0"
        Case(
            name: "double formatting",
            schema: nil,
            value: [
                .float64(1e10), .float64(-0.0), .float64(1e-4), .float64(0.001), .float64(1e7), .float64(9_999_999),
                .float64(123_456.789), .float64(0.1 + 0.2), .float64(100), .float64(-1.5e-300),
                .float64(.greatestFiniteMagnitude), .float64(.leastNonzeroMagnitude),
            ],
            schemasEnabled: false,
            expected:
                "[1.0E10,-0.0,1.0E-4,0.001,1.0E7,9999999.0,123456.789,0.30000000000000004,100.0,-1.5E-300,1.7976931348623157E308,4.9E-324]"
        ),
        // 38. Java Float.toString; Float.MIN_VALUE is "1.4E-45"
        Case(
            name: "float formatting",
            schema: nil,
            value: [
                .float32(0.1), .float32(1e10), .float32(16_777_216), .float32(.greatestFiniteMagnitude),
                .float32(.leastNonzeroMagnitude), .float32(-2.5),
            ],
            schemasEnabled: false,
            expected: "[0.1,1.0E10,1.6777216E7,3.4028235E38,1.4E-45,-2.5]"
        ),
        // 39. Jackson writeNumber(double) with QUOTE_NON_NUMERIC_NUMBERS (default): non-finite as strings
        Case(
            name: "non-finite floats",
            schema: try! SchemaBuilder.array(.float64).build(),
            value: [.float64(.nan), .float64(.infinity), .float64(-.infinity)],
            schemasEnabled: false,
            expected: #"["NaN","Infinity","-Infinity"]"#
        ),
        // 40. Jackson string escaping: short escapes, \u00XX upper-case, '/', DEL and non-ASCII raw
        Case(
            name: "string escaping",
            schema: .string,
            value: .string("q\"b\\n\nt\tr\rb\u{8}f\u{C}\u{1}\u{1F}/\u{7F}é😀"),
            schemasEnabled: false,
            expected: #""q\"b\\n\nt\tr\rb\bf\f\u0001\u001F/"# + "\u{7F}é😀\""
        ),
        // 41. Decimal BASE64 of a negative value: -123.45 → unscaled -12345 → CF C7 → "z8c="
        //     (BigInteger.toByteArray two's complement, spec §4.2)
        Case(
            name: "negative decimal",
            schema: .decimal(scale: 2),
            value: .decimal(ConnectDecimal(unscaled: -12345, scale: 2)),
            schemasEnabled: false,
            expected: #""z8c=""#
        ),
        // 42. NUMERIC decimal with negative scale: BigDecimal.toString gives "1.5E+3"
        Case(
            name: "decimal NUMERIC scientific",
            schema: .decimal(scale: -2),
            value: .decimal(ConnectDecimal(unscaled: 15, scale: -2)),
            schemasEnabled: false,
            decimalFormat: "NUMERIC",
            expected: "1.5E+3"
        ),
        // 43. Integer bounds and empty bytes
        Case(
            name: "integer bounds",
            schema: nil,
            value: [.int8(-128), .int16(32767), .int32(.min), .int64(.min), .int64(.max), .bytes([])],
            schemasEnabled: false,
            expected: #"[-128,32767,-2147483648,-9223372036854775808,9223372036854775807,""]"#
        ),
        // 44. Map with struct-free non-string keys and optional values with a schema (pairs, null values)
        Case(
            name: "map int64 to optional string",
            schema: try! SchemaBuilder.map(.int64, .optionalString).build(),
            value: .map([.int64(7): "seven", .int64(-1): .null]),
            schemasEnabled: false,
            expected: #"[[7,"seven"],[-1,null]]"#
        ),
        // 45. Array with optional elements
        Case(
            name: "array of optional ints",
            schema: try! SchemaBuilder.array(.optionalInt32).build(),
            value: [.int32(1), .null, .int32(3)],
            expected:
                #"{"schema":{"type":"array","items":{"type":"int32","optional":true},"optional":false},"payload":[1,null,3]}"#
        ),
        // 46. Defaults of logical types in the schema are written in their encoded form
        //     (asJsonSchema: "default" = convertToJson(schema, defaultValue))
        Case(
            name: "logical defaults",
            schema: try! SchemaBuilder.struct()
                .field("d", try! SchemaBuilder.date().defaultValue(.date(days: 0)).build())
                .field(
                    "n",
                    try! SchemaBuilder.decimal(scale: 2).defaultValue(.decimal(ConnectDecimal(unscaled: 156, scale: 2)))
                        .build()
                )
                .build(),
            value: .null,
            expected: nil
        ),
    ]

    @Test(arguments: cases)
    func producesKafkasBytes(_ testCase: Case) throws {
        let converter = try JSONTestSupport.converter(
            schemasEnabled: testCase.schemasEnabled,
            decimalFormat: testCase.decimalFormat,
            replaceNullWithDefault: testCase.replaceNullWithDefault
        )
        if testCase.name == "logical defaults" {
            // A struct schema with logical defaults, written with a struct whose fields are unset.
            let schema = try #require(testCase.schema)
            let output = try JSONTestSupport.encode(converter, schema, .struct(try Struct(schema: schema)))
            #expect(
                output
                    == #"{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1,"default":0,"field":"d"},{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"default":"AJw=","field":"n"}],"optional":false},"payload":{"d":0,"n":"AJw="}}"#
            )
            return
        }
        let output = try JSONTestSupport.encode(converter, testCase.schema, testCase.value)
        #expect(output == testCase.expected)
    }

    @Test func goldenSetIsLargeEnough() {
        #expect(Self.cases.count >= 30)
    }
}
