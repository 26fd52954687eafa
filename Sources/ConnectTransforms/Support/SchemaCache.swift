import ConnectAPI
import Synchronization

/// A small thread-safe LRU cache from an input schema to what a transform derives from it (a schema,
/// or a schema with a field layout)
/// (Kafka's `SynchronizedCache(LRUCache(16))` in every schema-changing SMT).
///
/// A record stream usually carries one schema, so the most recently used entry is checked first, by
/// identity and then by content; the entries are a short array, so no hashing is needed. Derived
/// schemas are returned as the same instance every time, which keeps the identity fast paths of
/// `Schema ==` and `Struct` validation hot downstream.
final class SchemaCache<Derived: Sendable>: Sendable {
    /// Entries in use order: the most recently used last.
    private struct Entries {
        var keys: [Schema] = []
        var values: [Derived] = []
    }

    /// The number of entries kept (Kafka: 16).
    let capacity: Int
    private let entries = Mutex(Entries())

    init(capacity: Int = 16) {
        precondition(capacity > 0, "SchemaCache capacity must be positive")
        self.capacity = capacity
    }

    /// The cached schema derived from `key`, if any; marks it most recently used.
    func get(_ key: Schema) -> Derived? {
        entries.withLock { entries -> Derived? in
            let count = entries.keys.count
            guard count > 0 else { return nil }
            if entries.keys[count - 1] === key { return entries.values[count - 1] }
            var found: Int?
            for index in stride(from: count - 1, through: 0, by: -1) where entries.keys[index] === key {
                found = index
                break
            }
            if found == nil {
                for index in stride(from: count - 1, through: 0, by: -1) where entries.keys[index] == key {
                    found = index
                    break
                }
            }
            guard let index = found else { return nil }
            if index != count - 1 {
                let foundKey = entries.keys.remove(at: index)
                let foundValue = entries.values.remove(at: index)
                entries.keys.append(foundKey)
                entries.values.append(foundValue)
            }
            return entries.values[count - 1]
        }
    }

    /// Stores a derived schema, evicting the least recently used entry when full.
    func put(_ key: Schema, _ value: Derived) {
        entries.withLock { entries in
            if let index = entries.keys.firstIndex(where: { $0 == key }) {
                entries.keys.remove(at: index)
                entries.values.remove(at: index)
            } else if entries.keys.count >= capacity {
                entries.keys.removeFirst()
                entries.values.removeFirst()
            }
            entries.keys.append(key)
            entries.values.append(value)
        }
    }

    /// The cached schema for `key`, or the result of `build(key)` after caching it. `build` runs
    /// outside the lock (two threads may build the same schema once each; the results are equal).
    func derived<E: Error>(for key: Schema, build: (Schema) throws(E) -> Derived) throws(E) -> Derived {
        if let cached = get(key) { return cached }
        let built = try build(key)
        put(key, built)
        return built
    }

    /// The number of cached entries.
    var count: Int {
        entries.withLock { $0.keys.count }
    }

    /// Removes every entry.
    func removeAll() {
        entries.withLock { entries in
            entries.keys.removeAll()
            entries.values.removeAll()
        }
    }
}
