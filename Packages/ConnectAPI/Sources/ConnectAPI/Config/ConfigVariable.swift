/// A placeholder found in a config value.
public struct ConfigVariable: Sendable, Hashable {
    /// The provider alias.
    public var provider: String
    /// The path; empty for `${provider:key}`.
    public var path: String
    /// The key.
    public var key: String
    /// Where the placeholder is in the value, `${` to `}` inclusive.
    public var range: Range<String.Index>
}
