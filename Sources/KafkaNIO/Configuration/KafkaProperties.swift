/// Reads Java-client style properties (`bootstrap.servers`, `linger.ms`, ...) into typed values,
/// rejecting bad values with an error that names the property and what is allowed.
struct KafkaProperties {
    let values: [String: String]

    init(_ values: [String: String]) {
        self.values = values
    }

    func string(_ key: String, default defaultValue: String) -> String {
        self.values[key] ?? defaultValue
    }

    func optionalString(_ key: String) -> String? {
        guard let value = self.values[key], !value.isEmpty else { return nil }
        return value
    }

    func int(_ key: String, default defaultValue: Int, in range: ClosedRange<Int> = 0...Int.max) throws -> Int {
        guard let raw = self.values[key] else { return defaultValue }
        guard let value = Int(raw.trimmingSpaces()) else {
            throw KafkaError.invalidConfiguration(property: key, reason: "'\(raw)' is not an integer")
        }
        guard range.contains(value) else {
            throw KafkaError.invalidConfiguration(
                property: key,
                reason: "\(value) is out of range; use a value in \(range.lowerBound)...\(range.upperBound)"
            )
        }
        return value
    }

    func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let raw = self.values[key] else { return defaultValue }
        switch raw.trimmingSpaces().lowercased() {
        case "true": return true
        case "false": return false
        default:
            throw KafkaError.invalidConfiguration(property: key, reason: "'\(raw)' is not true or false")
        }
    }

    func choice(_ key: String, default defaultValue: String, allowed: [String]) throws -> String {
        guard let raw = self.values[key] else { return defaultValue }
        let value = raw.trimmingSpaces().lowercased()
        guard allowed.contains(value) else {
            throw KafkaError.invalidConfiguration(
                property: key,
                reason: "'\(raw)' is not one of \(allowed.joined(separator: ", "))"
            )
        }
        return value
    }
}

extension StringProtocol {
    /// The text without leading and trailing whitespace.
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
