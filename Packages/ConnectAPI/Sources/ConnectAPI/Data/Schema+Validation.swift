extension Schema {
    /// Checks that `value` is valid for this schema (Kafka's `ConnectSchema.validateValue(schema, value)`).
    ///
    /// `null` is valid only for optional schemas. Otherwise the value's case must match the schema's
    /// kind or, for a schema named like a logical type, the logical case (by name, as Kafka does):
    /// `Decimal` → ``ConnectValue/decimal(_:)``, `Date` → ``ConnectValue/date(days:)``, `Time` →
    /// ``ConnectValue/time(millis:)``, `Timestamp` → ``ConnectValue/timestamp(millis:)``. Array elements
    /// and map keys and values are validated recursively; a struct must carry a schema equal to this
    /// one and pass ``Struct/validate()``.
    /// - Throws: ``DataError`` describing the mismatch, e.g.
    ///   `Invalid value: null used for required value, schema type: INT32` or
    ///   `Invalid value for schema with type INT32: string for value`.
    public func validate(_ value: ConnectValue) throws(DataError) {
        try validate(value, location: { "value" })
    }

    /// Checks that `value` is valid for `schema`; Kafka's static `ConnectSchema.validateValue`.
    /// - Parameters:
    ///   - field: The field name to mention in the error message, if the value belongs to a field.
    /// - Throws: ``DataError`` describing the mismatch.
    public static func validateValue(field: String? = nil, schema: Schema, value: ConnectValue) throws(DataError) {
        if let field {
            try schema.validate(value, location: { "field: \"\(field)\"" })
        } else {
            try schema.validate(value, location: { "value" })
        }
    }

    /// Validation with a lazily rendered location, so the happy path builds no strings.
    @inline(__always)
    func validate(_ value: ConnectValue, location: () -> String) throws(DataError) {
        // Fast path: primitive and logical values need one comparison of the case.
        if value.tag == acceptedTag { return }
        try validateSlowly(value, location: location)
    }

    private func validateSlowly(_ value: ConnectValue, location: () -> String) throws(DataError) {
        switch value {
        case .null:
            if isOptional { return }
            throw DataError("Invalid value: null used for required \(location()), schema type: \(kind)")
        case .struct(let value) where kind == .struct && logicalFamily == nil:
            guard value.schema == self else { throw DataError("Struct schemas do not match for \(location()).") }
            try value.validate()
        case .array(let elements) where kind == .array && logicalFamily == nil:
            guard let valueSchema else {
                throw DataError("No schema defined for element of array \(location())")
            }
            for element in elements {
                try valueSchema.validate(element, location: { "element of array \(location())" })
            }
        case .map(let map) where kind == .map && logicalFamily == nil:
            guard let keySchema else { throw DataError("No schema defined for key of map \(location())") }
            guard let valueSchema else { throw DataError("No schema defined for value of map \(location())") }
            for (key, value) in map {
                try keySchema.validate(key, location: { "key of map \(location())" })
                try valueSchema.validate(value, location: { "value of map \(location())" })
            }
        default:
            throw mismatch(value, location: location())
        }
    }

    private func mismatch(_ value: ConnectValue, location: String) -> DataError {
        var message = "Invalid value for schema"
        if let name { message += " \"\(name)\"" }
        message += " with type \(kind): \(value.caseName) for \(location)"
        return DataError(message)
    }
}
