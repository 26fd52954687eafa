/// A secret configuration value (Kafka's `Password`): it renders as `[hidden]` everywhere — string
/// interpolation, `print`, `debugPrint`, `dump` and reflection — so it cannot leak into logs or REST
/// responses by accident. Read the secret explicitly through ``value``.
public struct Password: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// `[hidden]`
    public static let hidden = "[hidden]"

    /// The secret itself.
    public let value: String

    /// Wraps a secret.
    public init(_ value: String) {
        self.value = value
    }

    /// `[hidden]`
    public var description: String { Self.hidden }

    /// `[hidden]`
    public var debugDescription: String { Self.hidden }

    /// A mirror with no children, so reflection shows nothing of the secret.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: nil) }
}
