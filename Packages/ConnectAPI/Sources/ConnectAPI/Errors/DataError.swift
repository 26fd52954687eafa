/// Bad data: a value that does not match its schema, a schema that cannot be built, bytes a converter
/// cannot decode (Kafka's `DataException`, and its subclasses `SchemaBuilderException` and
/// `SchemaProjectorException`).
///
/// The runtime applies the connector's error tolerance (`errors.tolerance`) to a `DataError` raised
/// while converting or transforming a record.
public struct DataError: Error, Sendable, CustomStringConvertible {
    /// A human-readable description of the problem; data-model errors name the field or location
    /// and what is wrong with it.
    public var message: String
    /// The error that caused this one, if any.
    public var underlying: (any Error)?

    /// Creates an error.
    /// - Parameters:
    ///   - message: A human-readable description of the problem.
    ///   - underlying: The error that caused this one.
    public init(_ message: String, underlying: (any Error)? = nil) {
        self.message = message
        self.underlying = underlying
    }

    /// The message, followed by the underlying error's description when there is one.
    public var description: String {
        describe(message, underlying)
    }
}
