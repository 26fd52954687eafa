/// A size-bounded map that evicts the least recently used entry (Kafka's `LRUCache`). Lookups and inserts
/// are O(1); an eviction scans the entries, which only happens when more distinct schemas are in use than
/// the cache holds. A capacity of zero or less caches nothing.
struct LRUCache<Key: Hashable, Value> {
    let capacity: Int
    private var entries: [Key: (value: Value, lastUse: UInt64)] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { entries.count }

    mutating func value(forKey key: Key) -> Value? {
        guard let entry = entries[key] else { return nil }
        clock &+= 1
        entries[key] = (entry.value, clock)
        return entry.value
    }

    mutating func insert(_ value: Value, forKey key: Key) {
        guard capacity > 0 else { return }
        clock &+= 1
        entries[key] = (value, clock)
        if entries.count > capacity, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
            entries.removeValue(forKey: oldest)
        }
    }
}
