/// The value conversions of Kafka's `Values.convertTo` that parsing needs to align the elements of an
/// array or the keys and values of a map with their inferred common schema (no source schema): numbers
/// are converted with Java's primitive casts, strings are parsed, logical types kept.
enum ValuesConversion {
    static func convert(_ value: ConnectValue, to schema: Schema) throws(DataError) -> ConnectValue {
        if value.isNull {
            if schema.isOptional { return .null }
            throw DataError("Unable to convert a null value to a schema that requires a value")
        }
        switch schema.kind {
        case .bytes:
            if schema.name == LogicalType.decimalName { return try toDecimal(value, schema) }
            switch value {
            case .bytes: return value
            case .decimal: return try schema.fromLogical(value)
            default: throw unable(value, schema)
            }
        case .string:
            return .string(Values.convertToString(schema: nil, value: value) ?? "null")
        case .boolean:
            if case .boolean = value { return value }
            if case .string(let text) = value, case .boolean(let flag)? = try? Values.parseString(text).value {
                return .boolean(flag)
            }
            return .boolean(try asLong(value, schema) != 0)
        case .int8:
            if case .int8 = value { return value }
            return .int8(Int8(truncatingIfNeeded: try asLong(value, schema)))
        case .int16:
            if case .int16 = value { return value }
            return .int16(Int16(truncatingIfNeeded: try asLong(value, schema)))
        case .int32:
            if schema.name == LogicalType.dateName {
                if case .date = value { return value }
                return .date(days: Int32(truncatingIfNeeded: try asLong(value, schema)))
            }
            if schema.name == LogicalType.timeName {
                if case .time = value { return value }
                return try LogicalType.time.toLogical(.int32(Int32(truncatingIfNeeded: try asLong(value, schema))))
            }
            if case .int32 = value { return value }
            return .int32(Int32(truncatingIfNeeded: try asLong(value, schema)))
        case .int64:
            if schema.name == LogicalType.timestampName {
                if case .timestamp = value { return value }
                return .timestamp(millis: try asLong(value, schema))
            }
            if case .int64 = value { return value }
            return .int64(try asLong(value, schema))
        case .float32:
            if case .float32 = value { return value }
            return .float32(Float(try asDouble(value, schema)))
        case .float64:
            if case .float64 = value { return value }
            return .float64(try asDouble(value, schema))
        case .array:
            if case .array = value { return value }
            if case .string(let text) = value, case .array(let parsed)? = try? Values.parseString(text).value {
                return .array(parsed)
            }
            throw unable(value, schema)
        case .map:
            if case .map = value { return value }
            if case .string(let text) = value, case .map(let parsed)? = try? Values.parseString(text).value {
                return .map(parsed)
            }
            throw unable(value, schema)
        case .struct:
            if case .struct = value { return value }
            throw unable(value, schema)
        }
    }

    private static func toDecimal(_ value: ConnectValue, _ schema: Schema) throws(DataError) -> ConnectValue {
        switch value {
        case .bytes: return try schema.toLogical(value)
        case .decimal: return value
        case .string(let text):
            guard let decimal = ConnectDecimal(text) else { throw unable(value, schema) }
            return .decimal(decimal)
        default:
            // Kafka: BigDecimal.valueOf(number.doubleValue()), i.e. the double's shortest decimal text.
            let double = try asDouble(value, schema)
            guard double.isFinite, let decimal = ConnectDecimal(JavaFormat.double(double)) else {
                throw unable(value, schema)
            }
            return .decimal(decimal)
        }
    }

    /// Java's `Number.longValue()` of a numeric value, or the parsed value of a numeric string.
    static func asLong(_ value: ConnectValue, _ schema: Schema) throws(DataError) -> Int64 {
        switch value {
        case .int8(let number): return Int64(number)
        case .int16(let number): return Int64(number)
        case .int32(let number): return Int64(number)
        case .int64(let number): return number
        case .float32(let number): return javaLong(Double(number))
        case .float64(let number): return javaLong(number)
        case .decimal(let decimal): return wrappedIntegerPart(of: decimal)
        case .string(let text):
            guard let decimal = ConnectDecimal(text) else { throw unable(value, schema) }
            return wrappedIntegerPart(of: decimal)
        default: throw DataError("Unable to convert \(value) (\(value.caseName)) to a number")
        }
    }

    /// Java's `Number.doubleValue()` of a numeric value, or the parsed value of a numeric string.
    static func asDouble(_ value: ConnectValue, _ schema: Schema) throws(DataError) -> Double {
        switch value {
        case .float32(let number): return Double(number)
        case .float64(let number): return number
        case .decimal(let decimal): return decimal.doubleValue
        case .string(let text):
            if ConnectDecimal(text) != nil, let number = Double(text) { return number }
            return Double(try asLong(value, schema))
        default: return Double(try asLong(value, schema))
        }
    }

    /// Java's `(long) double`: truncation toward zero, NaN → 0, saturating at the `Int64` bounds.
    static func javaLong(_ value: Double) -> Int64 {
        if value.isNaN { return 0 }
        if value >= 9_223_372_036_854_775_807.0 { return .max }
        if value <= -9_223_372_036_854_775_808.0 { return .min }
        return Int64(value.rounded(.towardZero))
    }

    /// The value as an `Int64` if it is an integer that fits (Kafka's `parseAsExactDecimal` test).
    static func integralValue(of decimal: ConnectDecimal) -> Int64? {
        var digits = Array(decimal.unscaledDigits.utf8)
        if digits == [UInt8(ascii: "0")] { return 0 }
        let scale = Int(decimal.scale)
        if scale > 0 {
            guard digits.count > scale, digits.suffix(scale).allSatisfy({ $0 == UInt8(ascii: "0") }) else { return nil }
            digits.removeLast(scale)
        } else if scale < 0 {
            guard digits.count - scale <= 19 else { return nil }
            digits.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -scale))
        }
        let text = (decimal.isNegative ? "-" : "") + String(decoding: digits, as: UTF8.self)
        return Int64(text)
    }

    /// Java's `BigDecimal.longValue()`: the integer part (truncated toward zero), low 64 bits.
    static func wrappedIntegerPart(of decimal: ConnectDecimal) -> Int64 {
        let digits = Array(decimal.unscaledDigits.utf8)
        let scale = Int(decimal.scale)
        let integerDigits = scale >= 0 ? digits.dropLast(min(scale, digits.count)) : digits[...]
        var value: UInt64 = 0
        for digit in integerDigits { value = value &* 10 &+ UInt64(digit - UInt8(ascii: "0")) }
        if scale < 0 {
            // 10^64 ≡ 0 (mod 2^64), so at most 64 more factors of ten matter.
            for _ in 0..<min(-scale, 64) { value = value &* 10 }
        }
        let result = Int64(bitPattern: value)
        return decimal.isNegative ? 0 &- result : result
    }

    private static func unable(_ value: ConnectValue, _ schema: Schema) -> DataError {
        DataError("Unable to convert \(value) (\(value.caseName)) to \(schema)")
    }
}
