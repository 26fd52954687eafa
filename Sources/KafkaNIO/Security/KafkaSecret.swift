/// A credential (password, inline private key) that never shows in descriptions, logs or errors:
/// `"\(secret)"`, `debugPrint` and reflection all give `[hidden]`. Read it with ``revealed``.
public struct KafkaSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable, ExpressibleByStringLiteral
{
    /// The secret text itself; pass it only to the code that needs it.
    public let revealed: String

    public init(_ value: String) {
        self.revealed = value
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public var description: String { "[hidden]" }
    public var debugDescription: String { "[hidden]" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
