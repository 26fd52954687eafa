import Synchronization

/// Version 2 of the fixture dependency.
public enum Dep {
    /// This copy's version.
    public static let version = "2.0.0"

    private static let counter = Mutex(100)

    /// `dep-2.0.0 #<n> (v2)`, with n counting calls into this copy from 101.
    public static func describe() -> String {
        let document = Document(
            label: "v2",
            count: counter.withLock { count in
                count += 1
                return count
            }
        )
        return "dep-\(version) #\(document.count) (\(document.label))"
    }
}

/// A layout that differs from version 1's (an extra field first).
public struct Document: Sendable {
    /// A label.
    public var label: String
    /// The count.
    public var count: Int
}
