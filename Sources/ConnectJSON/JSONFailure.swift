import ConnectAPI

/// An error inside the JSON converter: malformed JSON (`syntax`, reported as Kafka reports Jackson's
/// parse errors) or JSON that does not fit the schema or envelope (`data`). Both become ``DataError``s
/// at the converter's boundary; the distinction decides precedence (a document must parse before its
/// envelope and payload are checked, as in Kafka).
struct JSONFailure: Error {
    enum Kind {
        case syntax
        case data
    }

    let kind: Kind
    let message: String
    var underlying: DataError?

    static func syntax(_ message: String) -> JSONFailure {
        JSONFailure(kind: .syntax, message: message, underlying: nil)
    }

    static func data(_ message: String) -> JSONFailure {
        JSONFailure(kind: .data, message: message, underlying: nil)
    }

    static func data(_ error: DataError) -> JSONFailure {
        JSONFailure(kind: .data, message: error.message, underlying: error)
    }

    /// The public error: parse errors carry Kafka's prefix for deserialization failures.
    var dataError: DataError {
        switch kind {
        case .syntax:
            DataError("Converting byte[] to Kafka Connect data failed due to serialization error: \(message)")
        case .data:
            underlying ?? DataError(message)
        }
    }
}
