/// The requests sent on one connection that still wait for their response, by correlation id.
///
/// A value type so the bookkeeping can be tested without a channel; the channel handler is the thin
/// shell that writes bytes and completes promises.
struct InFlightRequests<Context> {
    struct Entry {
        var correlationID: Int32
        /// Whether the response header is the flexible v1 header (which carries tagged fields).
        var hasFlexibleResponseHeader: Bool
        var context: Context
    }

    private var entries: [Int32: Entry] = [:]

    var count: Int { self.entries.count }
    var isEmpty: Bool { self.entries.isEmpty }

    /// Records a request sent. Returns false if the id is already waiting (a caller bug).
    mutating func sent(_ entry: Entry) -> Bool {
        guard self.entries[entry.correlationID] == nil else { return false }
        self.entries[entry.correlationID] = entry
        return true
    }

    /// The entry a response with this correlation id answers, removed; nil for an unknown id.
    mutating func responseReceived(correlationID: Int32) -> Entry? {
        self.entries.removeValue(forKey: correlationID)
    }

    /// Every waiting entry, removed (the connection failed or closed).
    mutating func removeAll() -> [Entry] {
        let all = Array(self.entries.values)
        self.entries.removeAll()
        return all
    }
}
