/// The value of a `MAP` schema, or a schemaless JSON-like object: keys and values are
/// ``ConnectValue``s, kept in **insertion order** (so a converter emits them in the order they were
/// read or added), and keys are unique.
///
/// Setting an existing key replaces its value in place, keeping the key's original position (like
/// Java's `LinkedHashMap`). Small maps are searched linearly; a hash index is built once a map grows
/// past a few entries, so lookups and inserts stay O(1) on large maps.
///
/// Equality ignores order (Java's `Map.equals`): two maps are equal when they hold the same entries.
///
/// ```swift
/// var map = ConnectMap()
/// map["name"] = "alice"           // string literal keys and values
/// map[.int32(7)] = .boolean(true)
/// for (key, value) in map { … }   // insertion order
/// ```
public struct ConnectMap: Sendable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    /// An entry of the map.
    public typealias Element = (key: ConnectValue, value: ConnectValue)

    /// A stored entry. A struct rather than the ``Element`` tuple: arrays of tuples are copied and
    /// destroyed through the runtime's generic tuple witnesses, arrays of structs through compiled ones.
    /// Public only for the converters' fast paths (``withEntries(_:)``, SPI `ConnectInternals`).
    public struct Entry: Sendable {
        /// The key.
        public var key: ConnectValue
        /// The value.
        public var value: ConnectValue

        /// An entry.
        @inlinable
        public init(key: ConnectValue, value: ConnectValue) {
            self.key = key
            self.value = value
        }
    }

    // Internal but inlinable: iteration and positional access are inlined into other modules (the JSON
    // converter's encoder and decoder), which avoids a call and an entry copy per element.
    @usableFromInline internal var storage: [Entry]
    /// Positions by key, present once the map is larger than ``indexThreshold``.
    @usableFromInline internal var positions: [ConnectValue: Int]?

    /// Maps up to this size are searched linearly (cheaper than hashing for typical record-sized maps).
    @usableFromInline internal static var indexThreshold: Int { 32 }

    /// Creates an empty map.
    @inlinable
    public init() {
        storage = []
        positions = nil
    }

    /// Creates an empty map with room for `minimumCapacity` entries.
    @inlinable
    public init(minimumCapacity: Int) {
        storage = []
        storage.reserveCapacity(minimumCapacity)
        positions = nil
    }

    /// Creates a map from pairs in order; a repeated key keeps its first position and its last value.
    public init(_ pairs: some Sequence<(ConnectValue, ConnectValue)>) {
        self.init()
        for (key, value) in pairs { updateValue(value, forKey: key) }
    }

    /// Creates a map from a dictionary literal, in the literal's order.
    public init(dictionaryLiteral elements: (ConnectValue, ConnectValue)...) {
        self.init(minimumCapacity: elements.count)
        for (key, value) in elements { updateValue(value, forKey: key) }
    }

    /// Creates a map with string keys from a Swift dictionary, sorted by key so the order is stable.
    public init(_ dictionary: [String: ConnectValue]) {
        self.init(minimumCapacity: dictionary.count)
        for key in dictionary.keys.sorted() { updateValue(dictionary[key]!, forKey: .string(key)) }
    }

    // MARK: Collection

    /// The position of the first entry.
    @inlinable public var startIndex: Int { 0 }
    /// The position past the last entry.
    @inlinable public var endIndex: Int { storage.count }
    /// The number of entries.
    @inlinable public var count: Int { storage.count }
    /// Whether the map has no entries.
    @inlinable public var isEmpty: Bool { storage.isEmpty }
    /// The entry at a position (insertion order).
    @inlinable public subscript(position: Int) -> Element {
        let entry = storage[position]
        return (entry.key, entry.value)
    }

    /// Calls `body` with the entries in insertion order, without copying them out one by one (for
    /// encoders that walk every entry).
    // SPI rather than `package`: ConnectAPI is a package of its own, and ConnectJSON is not in it.
    @inlinable
    @_spi(ConnectInternals)
    public func withEntries<Result, Failure: Error>(
        _ body: (UnsafeBufferPointer<Entry>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try storage.withUnsafeBufferPointer(body)
    }

    /// The keys in insertion order.
    public var keys: [ConnectValue] { storage.map(\.key) }
    /// The values in insertion order.
    public var values: [ConnectValue] { storage.map(\.value) }

    // MARK: Lookup and update

    /// The position of `key`, or `nil`.
    public func index(forKey key: ConnectValue) -> Int? {
        if let positions { return positions[key] }
        // String keys (schemaless JSON objects) are by far the most common: compare them directly.
        if case .string(let wanted) = key {
            for position in storage.indices {
                if case .string(let candidate) = storage[position].key, candidate == wanted { return position }
            }
            return nil
        }
        for position in storage.indices where storage[position].key == key { return position }
        return nil
    }

    /// The value for `key`; setting `nil` removes the entry, setting a value adds or replaces it.
    public subscript(key: ConnectValue) -> ConnectValue? {
        get {
            guard let position = index(forKey: key) else { return nil }
            return storage[position].value
        }
        set {
            if let newValue {
                updateValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Adds or replaces the value for `key`; a new key goes last.
    /// - Returns: The value that was replaced, or `nil` if the key is new.
    @discardableResult
    public mutating func updateValue(_ value: ConnectValue, forKey key: ConnectValue) -> ConnectValue? {
        if let position = index(forKey: key) {
            let old = storage[position].value
            storage[position].value = value
            return old
        }
        storage.append(Entry(key: key, value: value))
        if positions != nil || storage.count > Self.indexThreshold { indexLastEntry() }
        return nil
    }

    /// Appends an entry whose key the caller knows is not in the map yet, skipping the search for it
    /// (for decoders that have already checked their keys are distinct).
    ///
    /// - Precondition: `key` is not in the map (checked in debug builds only); appending a key that is
    ///   already present would leave the map with a duplicate key.
    @inlinable
    @_spi(ConnectInternals)
    public mutating func appendUnique(_ value: ConnectValue, forKey key: ConnectValue) {
        assert(index(forKey: key) == nil, "appendUnique(_:forKey:) with a key that is already in the map")
        storage.append(Entry(key: key, value: value))
        if positions != nil || storage.count > Self.indexThreshold { indexLastEntry() }
    }

    /// Adds the last entry to the hash index, building the index when the map has just outgrown
    /// ``indexThreshold``.
    @usableFromInline
    internal mutating func indexLastEntry() {
        if positions != nil {
            positions![storage[storage.count - 1].key] = storage.count - 1
        } else if storage.count > Self.indexThreshold {
            rebuildPositions()
        }
    }

    /// Removes the entry for `key`, keeping the order of the others.
    /// - Returns: The removed value, or `nil` if the key was absent.
    @discardableResult
    public mutating func removeValue(forKey key: ConnectValue) -> ConnectValue? {
        guard let position = index(forKey: key) else { return nil }
        let old = storage.remove(at: position).value
        if positions != nil {
            if storage.count > Self.indexThreshold {
                rebuildPositions()
            } else {
                positions = nil
            }
        }
        return old
    }

    /// Removes every entry.
    public mutating func removeAll() {
        storage.removeAll()
        positions = nil
    }

    private mutating func rebuildPositions() {
        var positions: [ConnectValue: Int] = [:]
        positions.reserveCapacity(storage.count)
        for (position, entry) in storage.enumerated() { positions[entry.key] = position }
        self.positions = positions
    }
}

extension ConnectMap: Hashable {
    /// Equal when both maps hold the same entries, in any order (Java's `Map.equals`).
    public static func == (lhs: ConnectMap, rhs: ConnectMap) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (position, entry) in lhs.storage.enumerated() {
            // Fast path: same key at the same position (maps built in the same order).
            if position < rhs.storage.count, rhs.storage[position].key == entry.key {
                guard rhs.storage[position].value == entry.value else { return false }
                continue
            }
            guard let value = rhs[entry.key], value == entry.value else { return false }
        }
        return true
    }

    /// Hashes the entries independently of their order.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for entry in storage {
            var entryHasher = Hasher()
            entryHasher.combine(entry.key)
            entryHasher.combine(entry.value)
            combined ^= entryHasher.finalize()
        }
        hasher.combine(storage.count)
        hasher.combine(combined)
    }
}

extension ConnectMap: CustomStringConvertible {
    /// `{k1=v1, k2=v2}`, as Java's `Map.toString()`.
    public var description: String {
        "{" + storage.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "}"
    }
}
