@_spi(ConnectInternals) import ConnectAPI

// Decoding JSON to Connect values, following Kafka's `JsonConverter.convertToConnect` (spec §4.4).
//
// Where Kafka's Jackson nodes silently coerce a JSON value of the wrong type (`intValue()` of a string is
// 0, `textValue()` of a number is null, iterating an object as an array yields its values), these
// decoders report a DataError naming the expected JSON type instead. Two more deliberate differences:
// the strings "NaN", "Infinity" and "-Infinity" (which Jackson writes for non-finite floats) decode to
// those values for float schemas, where Kafka reads them back as 0.0; and `-0.0` keeps its sign (Kafka
// parses floats via BigDecimal, which has no negative zero).

extension JSONReader {
    // MARK: Without a schema

    /// Decodes any JSON value without a schema: integers → `int64` (low 64 bits of larger ones, as
    /// Java's `longValue()`), other numbers → `float64`, objects → maps with string keys, arrays,
    /// strings, booleans, null.
    mutating func decodeSchemaless() throws(JSONFailure) -> ConnectValue {
        switch nextToken() {
        case UInt8(ascii: "{"):
            try enterContainer()
            position &+= 1
            // Room for a typical record's members without regrowing.
            var map = ConnectMap(minimumCapacity: 12)
            if nextToken() == UInt8(ascii: "}") {
                position &+= 1
            } else {
                // Jackson keeps the last value of a repeated member name (in the first one's place, as
                // ConnectMap.updateValue does). A key whose bit in a 256-bit filter of the raw key bytes
                // is still clear cannot be a repeat, so it is appended without searching the map; only
                // filter hits, keys with escapes and very large objects take the searching path.
                var filter = KeyFilter()
                repeat {
                    guard nextToken() == UInt8(ascii: "\"") else { throw unexpected("a field name") }
                    let span = try scanString()
                    let key = makeString(span)
                    try expect(UInt8(ascii: ":"), "':'")
                    let value = try decodeSchemaless()
                    let isNew = filter.insert(span.hasEscapes ? nil : keyFilterBit(span))
                    if isNew {
                        map.appendUnique(value, forKey: .string(key))
                    } else {
                        map.updateValue(value, forKey: .string(key))
                    }
                } while try continues(closing: UInt8(ascii: "}"))
            }
            leaveContainer()
            return .map(map)
        case UInt8(ascii: "["):
            try enterContainer()
            position &+= 1
            var elements: [ConnectValue] = []
            if nextToken() == UInt8(ascii: "]") {
                position &+= 1
            } else {
                repeat {
                    elements.append(try decodeSchemaless())
                } while try continues(closing: UInt8(ascii: "]"))
            }
            leaveContainer()
            return .array(elements)
        case UInt8(ascii: "\""):
            return .string(makeString(try scanString()))
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            switch try readLiteral() {
            case UInt8(ascii: "t"): return .boolean(true)
            case UInt8(ascii: "f"): return .boolean(false)
            default: return .null
            }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if let integer = fastInteger() { return .int64(integer) }
            if let double = fastDouble() { return .float64(double) }
            let token = try scanNumber()
            if token.isInteger { return .int64(wrappedInteger(token)) }
            return .float64(doubleValue(token))
        default:
            throw unexpected("a value")
        }
    }

    /// A 256-bit filter of the member names seen in one object (four scalar words: a SIMD vector indexed
    /// by a variable goes through memory and was measurably slower).
    struct KeyFilter {
        private var word0: UInt64 = 0
        private var word1: UInt64 = 0
        private var word2: UInt64 = 0
        private var word3: UInt64 = 0

        /// Records a key by its ``keyFilterBit(_:)`` (`nil` for a key with escapes, whose raw bytes do not
        /// identify it: that saturates the filter, so every later key is searched for).
        /// - Returns: `true` if the key is certainly new.
        @inline(__always)
        mutating func insert(_ bit: Int?) -> Bool {
            guard let bit else {
                word0 = ~0
                word1 = ~0
                word2 = ~0
                word3 = ~0
                return false
            }
            let mask: UInt64 = 1 &<< UInt64(bit & 63)
            let old: UInt64
            switch bit &>> 6 {
            case 0:
                old = word0
                word0 |= mask
            case 1:
                old = word1
                word1 |= mask
            case 2:
                old = word2
                word2 |= mask
            default:
                old = word3
                word3 |= mask
            }
            return old & mask == 0
        }
    }

    /// A bit (0..<256) chosen by a cheap hash of an unescaped string's raw bytes: equal keys get the same
    /// bit, so a key whose bit was not set before is not a repeat.
    @inline(__always)
    private func keyFilterBit(_ span: StringSpan) -> Int {
        let length = span.end &- span.start
        let start = UnsafeRawPointer(base + span.start)
        var hash = UInt64(truncatingIfNeeded: length) &* 0x9E37_79B9_7F4A_7C15
        if length >= 8 {
            // The first and last eight bytes (overlapping for keys shorter than 16 bytes).
            hash ^= UInt64(littleEndian: start.loadUnaligned(as: UInt64.self))
            hash = (hash ^ (hash &>> 29)) &* 0xBF58_476D_1CE4_E5B9
            hash ^= UInt64(littleEndian: start.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self))
        } else if length >= 4 {
            let first = UInt64(UInt32(littleEndian: start.loadUnaligned(as: UInt32.self)))
            let last = UInt64(UInt32(littleEndian: start.loadUnaligned(fromByteOffset: length &- 4, as: UInt32.self)))
            hash ^= first | (last &<< 32)
        } else {
            for offset in 0..<length { hash ^= UInt64(base[span.start &+ offset]) &<< UInt64(offset &* 8) }
        }
        hash = (hash ^ (hash &>> 31)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: hash &>> 56)
    }

    /// An integer literal of at most 18 digits (exact in `Int64`) with nothing numeric after it; `nil`
    /// (nothing consumed) otherwise.
    @inline(__always)
    private mutating func fastInteger() -> Int64? {
        var index = position
        let negative = base[index] == UInt8(ascii: "-")
        if negative { index &+= 1 }
        var value: Int64 = 0
        let digitsStart = index
        while index < end {
            let digit = base[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            value = value &* 10 &+ Int64(digit)
            index &+= 1
        }
        let digits = index &- digitsStart
        guard digits > 0 && digits <= 18 else { return nil }
        if index < end {
            let next = base[index]
            if next == UInt8(ascii: ".") || next | 0x20 == UInt8(ascii: "e") { return nil }
        }
        position = index
        return negative ? -value : value
    }

    // MARK: With a schema

    /// What a JSON `null` (or a missing struct member) becomes: the default if there is one and
    /// `replace.null.with.default` is on, else null for an optional schema.
    @inline(__always)
    func nullValue(_ plan: SchemaPlan, replaceNullWithDefault: Bool) throws(JSONFailure) -> ConnectValue {
        if plan.hasDefault && replaceNullWithDefault { return plan.defaultValue }
        if plan.isOptional { return .null }
        throw .data("Invalid null value for required \(plan.kind) field")
    }

    /// Decodes a value with its schema's plan.
    mutating func decode(_ plan: SchemaPlan, replaceNullWithDefault: Bool) throws(JSONFailure) -> ConnectValue {
        let first = nextToken()
        if first == UInt8(ascii: "n") {
            _ = try readLiteral()
            return try nullValue(plan, replaceNullWithDefault: replaceNullWithDefault)
        }
        if case .none = plan.logical {
        } else {
            return try decodeLogical(plan, first: first)
        }
        switch plan.kind {
        case .int8:
            return .int8(Int8(truncatingIfNeeded: try readIntegral(plan)))
        case .int16:
            return .int16(Int16(truncatingIfNeeded: try readIntegral(plan)))
        case .int32:
            return .int32(Int32(truncatingIfNeeded: try readIntegral(plan)))
        case .int64:
            return .int64(try readIntegral(plan))
        case .float32:
            if first == UInt8(ascii: "\"") { return .float32(Float(try readNonFinite(plan))) }
            guard first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else {
                throw mismatch(plan, expected: "a number", found: first)
            }
            return .float32(floatValue(try scanNumber()))
        case .float64:
            if first == UInt8(ascii: "\"") { return .float64(try readNonFinite(plan)) }
            guard first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else {
                throw mismatch(plan, expected: "a number", found: first)
            }
            return .float64(doubleValue(try scanNumber()))
        case .boolean:
            guard first == UInt8(ascii: "t") || first == UInt8(ascii: "f") else {
                throw mismatch(plan, expected: "true or false", found: first)
            }
            return .boolean(try readLiteral() == UInt8(ascii: "t"))
        case .string:
            guard first == UInt8(ascii: "\"") else { throw mismatch(plan, expected: "a string", found: first) }
            return .string(makeString(try scanString()))
        case .bytes:
            guard first == UInt8(ascii: "\"") else {
                throw mismatch(plan, expected: "a Base64 string", found: first)
            }
            guard let bytes = decodeBase64String(try scanString()) else {
                throw .data("Invalid bytes field: the value is not valid Base64")
            }
            return .bytes(bytes)
        case .array:
            guard first == UInt8(ascii: "[") else { throw mismatch(plan, expected: "an array", found: first) }
            try enterContainer()
            position &+= 1
            var elements: [ConnectValue] = []
            if nextToken() == UInt8(ascii: "]") {
                position &+= 1
            } else {
                repeat {
                    if let element = plan.element {
                        elements.append(try decode(element, replaceNullWithDefault: replaceNullWithDefault))
                    } else {
                        elements.append(try decodeSchemaless())
                    }
                } while try continues(closing: UInt8(ascii: "]"))
            }
            leaveContainer()
            return .array(elements)
        case .map:
            return try decodeMap(plan, first: first, replaceNullWithDefault: replaceNullWithDefault)
        case .struct:
            return try decodeStruct(plan, first: first, replaceNullWithDefault: replaceNullWithDefault)
        }
    }

    private mutating func decodeStruct(
        _ plan: SchemaPlan,
        first: UInt8,
        replaceNullWithDefault: Bool
    ) throws(JSONFailure) -> ConnectValue {
        guard first == UInt8(ascii: "{") else {
            throw .data("Structs should be encoded as JSON objects, but found \(Self.nodeType(first))")
        }
        try enterContainer()
        position &+= 1
        let keys = plan.fieldKeys
        let offsets = plan.fieldKeyOffsets
        let codes = plan.fieldCodes
        let count = codes.count
        // reserveCapacity + append are specialized in this module; `Array(repeating:count:)` would
        // allocate through the stdlib's unspecialized path, which looks up the storage type's metadata
        // at run time on every call (about a tenth of a round trip).
        var values: [ConnectValue] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(.null) }
        if nextToken() == UInt8(ascii: "}") {
            position &+= 1
        } else {
            var expected = 0
            while true {
                var match: Int? = nil
                if expected < count && matches(keys, from: offsets[expected], to: offsets[expected + 1]) {
                    // Fast path: compact JSON with the members in field order (what Kafka writes).
                    position &+= offsets[expected + 1] - offsets[expected]
                    match = expected
                } else {
                    guard nextToken() == UInt8(ascii: "\"") else { throw unexpected("a field name") }
                    let key = try scanString()
                    for index in plan.fields.indices where string(key, equals: plan.fields[index].nameUTF8) {
                        match = index
                        break
                    }
                    try expect(UInt8(ascii: ":"), "':'")
                }
                if let match {
                    values[match] = try decodeField(
                        codes[match],
                        index: match,
                        plans: plan.fieldPlans,
                        replaceNullWithDefault: replaceNullWithDefault
                    )
                    expected = match &+ 1
                } else {
                    try skipValue()  // members that are not fields are ignored, as in Kafka
                }
                if position < end {
                    let separator = base[position]
                    if separator == UInt8(ascii: ",") {
                        position &+= 1
                        continue
                    }
                    if separator == UInt8(ascii: "}") {
                        position &+= 1
                        break
                    }
                }
                if try !continues(closing: UInt8(ascii: "}")) { break }
            }
        }
        leaveContainer()
        // Missing members and explicit nulls: the default, or null if optional, else an error naming the
        // field.
        for index in values.indices where values[index].isNull {
            let fieldPlan = plan.fieldPlans[index]
            if fieldPlan.hasDefault && replaceNullWithDefault {
                values[index] = fieldPlan.defaultValue
            } else if !fieldPlan.isOptional {
                throw .data("Invalid null value for required \(fieldPlan.kind) field \"\(plan.fields[index].name)\"")
            }
        }
        do {
            return .struct(try Struct(schema: plan.schema, values: values))
        } catch {
            throw .data(error)
        }
    }

    /// A struct field's value; `null` stays null (the caller applies defaults and naming). The plan is
    /// only looked up for containers, logical types and errors.
    @inline(__always)
    private mutating func decodeField(
        _ code: SchemaPlan.FieldCode,
        index: Int,
        plans: [SchemaPlan],
        replaceNullWithDefault: Bool
    ) throws(JSONFailure) -> ConnectValue {
        let first = nextToken()
        if first == UInt8(ascii: "n") {
            _ = try readLiteral()
            return .null
        }
        switch code {
        case .string:
            guard first == UInt8(ascii: "\"") else { throw mismatch(plans[index], expected: "a string", found: first) }
            return .string(makeString(try scanString()))
        case .int32:
            return .int32(Int32(truncatingIfNeeded: try readIntegral(plans[index])))
        case .int64:
            return .int64(try readIntegral(plans[index]))
        case .boolean:
            guard first == UInt8(ascii: "t") || first == UInt8(ascii: "f") else {
                throw mismatch(plans[index], expected: "true or false", found: first)
            }
            return .boolean(try readLiteral() == UInt8(ascii: "t"))
        case .float64:
            if let fast = fastDouble() { return .float64(fast) }
            return try decode(plans[index], replaceNullWithDefault: replaceNullWithDefault)
        default:
            return try decode(plans[index], replaceNullWithDefault: replaceNullWithDefault)
        }
    }

    /// Whether the input at the current position starts with `bytes[start..<end]`.
    @inline(__always)
    private func matches(_ bytes: [UInt8], from start: Int, to end: Int) -> Bool {
        let length = end &- start
        guard self.end &- position >= length else { return false }
        return bytes.withUnsafeBufferPointer { expected in
            Self.equalBytes(base + position, expected.baseAddress! + start, length)
        }
    }

    /// Byte equality of short ranges without a call to `memcmp`.
    @inline(__always)
    static func equalBytes(_ lhs: UnsafePointer<UInt8>, _ rhs: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        var offset = 0
        while offset &+ 8 <= length {
            if UnsafeRawPointer(lhs + offset).loadUnaligned(as: UInt64.self)
                != UnsafeRawPointer(rhs + offset).loadUnaligned(as: UInt64.self)
            {
                return false
            }
            offset &+= 8
        }
        while offset < length {
            if lhs[offset] != rhs[offset] { return false }
            offset &+= 1
        }
        return true
    }

    /// A plain decimal literal (`-`? digits (`.` digits)?, at most 19 significant digits, no exponent)
    /// converted exactly with one correctly rounded operation; `nil` (nothing consumed) otherwise.
    @inline(__always)
    private mutating func fastDouble() -> Double? {
        var index = position
        var negative = false
        if index < end && base[index] == UInt8(ascii: "-") {
            negative = true
            index &+= 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        let integerStart = index
        while index < end {
            let digit = base[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            digits &+= 1
            index &+= 1
        }
        guard index > integerStart else { return nil }
        var fractionDigits = 0
        if index < end && base[index] == UInt8(ascii: ".") {
            index &+= 1
            while index < end {
                let digit = base[index] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                mantissa = mantissa &* 10 &+ UInt64(digit)
                digits &+= 1
                fractionDigits &+= 1
                index &+= 1
            }
            guard fractionDigits > 0 else { return nil }
        }
        guard digits <= 19, fractionDigits <= 22, mantissa < 1 << 53 else { return nil }
        if index < end {
            let next = base[index]
            if next == UInt8(ascii: "e") || next == UInt8(ascii: "E") { return nil }
        }
        position = index
        // Jackson makes integer literals int/long nodes, whose doubleValue() of "-0" is 0.0.
        if fractionDigits == 0 { return Double(negative ? -Int64(mantissa) : Int64(mantissa)) }
        let value = Double(mantissa) / Self.powerOfTen(fractionDigits)
        return negative ? -value : value
    }

    private mutating func decodeMap(
        _ plan: SchemaPlan,
        first: UInt8,
        replaceNullWithDefault: Bool
    ) throws(JSONFailure) -> ConnectValue {
        guard let keyPlan = plan.key, let valuePlan = plan.element else {
            return try decodeSchemaless()
        }
        var map = ConnectMap()
        if plan.mapAsObject {
            guard first == UInt8(ascii: "{") else {
                throw .data(
                    "Maps with string fields should be encoded as JSON objects, but found \(Self.nodeType(first))"
                )
            }
            try enterContainer()
            position &+= 1
            if nextToken() == UInt8(ascii: "}") {
                position &+= 1
            } else {
                var filter = KeyFilter()
                repeat {
                    guard nextToken() == UInt8(ascii: "\"") else { throw unexpected("a field name") }
                    let span = try scanString()
                    let key = makeString(span)
                    try expect(UInt8(ascii: ":"), "':'")
                    let value = try decode(valuePlan, replaceNullWithDefault: replaceNullWithDefault)
                    if filter.insert(span.hasEscapes ? nil : keyFilterBit(span)) {
                        map.appendUnique(value, forKey: .string(key))
                    } else {
                        map.updateValue(value, forKey: .string(key))
                    }
                } while try continues(closing: UInt8(ascii: "}"))
            }
            leaveContainer()
            return .map(map)
        }
        guard first == UInt8(ascii: "[") else {
            throw .data(
                "Maps with non-string fields should be encoded as JSON array of tuples, but found \(Self.nodeType(first))"
            )
        }
        try enterContainer()
        position &+= 1
        if nextToken() == UInt8(ascii: "]") {
            position &+= 1
        } else {
            repeat {
                let entryStart = nextToken()
                guard entryStart == UInt8(ascii: "[") else {
                    try skipValue()
                    throw .data("Found invalid map entry instead of array tuple: \(Self.nodeType(entryStart))")
                }
                let tupleStart = position
                try enterContainer()
                position &+= 1
                // Kafka checks the tuple's size before converting its elements.
                let size = try countElements()
                guard size == 2 else {
                    throw .data("Found invalid map entry, expected length 2 but found :\(size)")
                }
                position = tupleStart + 1
                let key = try decode(keyPlan, replaceNullWithDefault: replaceNullWithDefault)
                try expect(UInt8(ascii: ","), "','")
                let value = try decode(valuePlan, replaceNullWithDefault: replaceNullWithDefault)
                try expect(UInt8(ascii: "]"), "']'")
                leaveContainer()
                map.updateValue(value, forKey: key)
            } while try continues(closing: UInt8(ascii: "]"))
        }
        leaveContainer()
        return .map(map)
    }

    /// Counts the elements of the array whose `[` was just consumed, leaving the reader after its `]`.
    private mutating func countElements() throws(JSONFailure) -> Int {
        if nextToken() == UInt8(ascii: "]") {
            position &+= 1
            return 0
        }
        var count = 0
        repeat {
            try skipValue()
            count += 1
        } while try continues(closing: UInt8(ascii: "]"))
        return count
    }

    private mutating func decodeLogical(_ plan: SchemaPlan, first: UInt8) throws(JSONFailure) -> ConnectValue {
        let isNumber = first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
        switch plan.logical {
        case .none:
            throw .data("Not a logical type")
        case .decimal(let scale):
            if isNumber {
                let token = try scanNumber()
                if token.isInteger, token.isExact, let exact = exactInt64(token) {
                    return .decimal(ConnectDecimal(unscaled: exact, scale: 0))
                }
                guard let decimal = ConnectDecimal(text(token)) else {
                    throw .data("Invalid numeric value for Decimal field")
                }
                return .decimal(decimal)
            }
            guard first == UInt8(ascii: "\"") else {
                try skipValue()
                throw .data(
                    "Invalid type for Decimal, underlying representation should be numeric or bytes but was \(Self.nodeType(first))"
                )
            }
            guard let bytes = decodeBase64String(try scanString()), !bytes.isEmpty, let scale else {
                throw .data("Invalid bytes for Decimal field")
            }
            return .decimal(ConnectDecimal(unscaledBytes: bytes, scale: scale))
        case .date, .time:
            let name = plan.logical.isDate ? "Date" : "Time"
            guard isNumber else {
                try skipValue()
                throw .data(
                    "Invalid type for \(name), underlying representation should be integer but was \(Self.nodeType(first))"
                )
            }
            let token = try scanNumber()
            // Jackson's `isInt()`: an integer literal within the int range.
            guard token.isInteger, let exact = exactInt64(token), let value = Int32(exactly: exact) else {
                throw .data("Invalid type for \(name), underlying representation should be integer but was NUMBER")
            }
            if plan.logical.isDate { return .date(days: value) }
            do {
                return try LogicalType.time.toLogical(.int32(value))
            } catch {
                throw .data(error)
            }
        case .timestamp:
            guard isNumber else {
                try skipValue()
                throw .data(
                    "Invalid type for Timestamp, underlying representation should be integral but was \(Self.nodeType(first))"
                )
            }
            let token = try scanNumber()
            guard token.isInteger else {
                throw .data("Invalid type for Timestamp, underlying representation should be integral but was NUMBER")
            }
            return .timestamp(millis: wrappedInteger(token))
        }
    }

    /// An integer for an `INT8`…`INT64` schema: the literal's integer part, low 64 bits (the caller
    /// narrows further), as Jackson's `intValue()`/`longValue()` with Java's casts.
    @inline(__always)
    private mutating func readIntegral(_ plan: SchemaPlan) throws(JSONFailure) -> Int64 {
        let first = peek
        guard first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else {
            throw mismatch(plan, expected: "a number", found: first)
        }
        // Fast path: up to 19 digits, no fraction or exponent (the digits' value mod 2^64 is exact).
        let start = position
        var index = position
        var negative = false
        if first == UInt8(ascii: "-") {
            negative = true
            index &+= 1
        }
        var value: UInt64 = 0
        let digitsStart = index
        while index < end {
            let digit = base[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            value = value &* 10 &+ UInt64(digit)
            index &+= 1
        }
        let digits = index &- digitsStart
        if digits > 0 && digits <= 19
            && (index >= end || (base[index] != UInt8(ascii: ".") && base[index] | 0x20 != UInt8(ascii: "e")))
        {
            position = index
            let result = Int64(bitPattern: value)
            return negative ? 0 &- result : result
        }
        position = start
        let token = try scanNumber()
        return wrappedInteger(token)
    }

    /// `"NaN"`, `"Infinity"` or `"-Infinity"`, which Jackson writes for non-finite floats.
    private mutating func readNonFinite(_ plan: SchemaPlan) throws(JSONFailure) -> Double {
        let text = makeString(try scanString())
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: throw .data("Invalid value for \(plan.kind) field: expected a number but found the string \"\(text)\"")
        }
    }

    private func decodeBase64String(_ span: StringSpan) -> [UInt8]? {
        if span.hasEscapes {
            return unescapedBytes(span).withUnsafeBufferPointer { decodeBase64($0) }
        }
        return decodeBase64(UnsafeBufferPointer(start: base + span.start, count: span.end - span.start))
    }

    private func mismatch(_ plan: SchemaPlan, expected: String, found byte: UInt8) -> JSONFailure {
        let found = Self.nodeType(byte)
        if found == "MISSING" { return unexpected("a value") }
        return .data("Invalid value for \(plan.kind) field: expected \(expected) but found \(found)")
    }
}

extension SchemaPlan.Logical {
    var isDate: Bool {
        if case .date = self { return true }
        return false
    }
}
