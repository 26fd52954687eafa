import Synchronization

/// Version 1 of the fixture dependency.
public enum Dep {
    /// This copy's version.
    public static let version = "1.0.0"

    private static let counter = Mutex(0)

    /// `dep-1.0.0 #<n>`, with n counting calls into this copy from 1.
    public static func describe() -> String {
        let document = Document(
            count: counter.withLock { count in
                count += 1
                return count
            }
        )
        return "dep-\(version) #\(document.count)"
    }
}

/// A layout that differs from version 2's.
public struct Document: Sendable {
    /// The count.
    public var count: Int
}
