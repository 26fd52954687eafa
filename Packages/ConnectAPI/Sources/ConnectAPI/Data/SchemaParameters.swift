/// The parameters of a schema: string keys to string values, kept in insertion order (Kafka uses a
/// `LinkedHashMap`), so that converters emit them in the order they were added.
///
/// Equality ignores order, like Java's `Map.equals`. Setting an existing key replaces its value in
/// place.
public struct SchemaParameters: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral,
    CustomStringConvertible
{
    /// The entries in insertion order.
    public private(set) var entries: [(key: String, value: String)]

    /// Creates empty parameters.
    public init() {
        entries = []
    }

    /// Creates parameters from key-value pairs, in order; a repeated key keeps its first position and
    /// its last value.
    public init(_ pairs: some Sequence<(String, String)>) {
        entries = []
        for (key, value) in pairs { self[key] = value }
    }

    /// Creates parameters from a dictionary literal, in the literal's order.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The number of parameters.
    public var count: Int { entries.count }

    /// Whether there are no parameters.
    public var isEmpty: Bool { entries.isEmpty }

    /// The keys in insertion order.
    public var keys: [String] { entries.map(\.key) }

    /// The value for a key; setting `nil` removes the key.
    public subscript(key: String) -> String? {
        get {
            for entry in entries where entry.key == key { return entry.value }
            return nil
        }
        set {
            if let position = entries.firstIndex(where: { $0.key == key }) {
                if let newValue {
                    entries[position].value = newValue
                } else {
                    entries.remove(at: position)
                }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    /// Iterates the entries in insertion order.
    public func makeIterator() -> IndexingIterator<[(key: String, value: String)]> {
        entries.makeIterator()
    }

    /// The parameters as an unordered dictionary.
    public var dictionary: [String: String] {
        Dictionary(entries, uniquingKeysWith: { _, last in last })
    }

    /// Equal when both hold the same key-value pairs, in any order.
    public static func == (lhs: SchemaParameters, rhs: SchemaParameters) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs.entries where rhs[key] != value { return false }
        return true
    }

    /// Hashes the pairs independently of their order.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for (key, value) in entries {
            var entryHasher = Hasher()
            entryHasher.combine(key)
            entryHasher.combine(value)
            combined ^= entryHasher.finalize()
        }
        hasher.combine(count)
        hasher.combine(combined)
    }

    /// `{k1=v1, k2=v2}`, as Java's `Map.toString()`.
    public var description: String {
        "{" + entries.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "}"
    }
}
