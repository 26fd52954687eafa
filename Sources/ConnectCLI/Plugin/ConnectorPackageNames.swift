import Foundation

/// Whether a generated connector reads from (source) or writes to (sink) an external system.
public enum ConnectorKind: String, Sendable, Hashable, CaseIterable {
    case source
    case sink

    /// `Source` or `Sink`, as used in type names.
    var typeWord: String { self == .source ? "Source" : "Sink" }
}

/// A name the scaffolding refuses, with the reason and an example of a good one.
public struct PluginAuthoringError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Every name a generated connector package uses, derived from the one name the user gives
/// (`swift-connect plugin new HttpPoller`): the package, its targets, the Swift types, the Java-style
/// class names and the plugin's folder name.
///
/// The user's name is turned into UpperCamelCase words (`http-poller`, `http_poller` and `HttpPoller`
/// all give `HttpPoller`); a trailing `Connector` is dropped (the type names add it back). Anything
/// that is not ASCII letters, digits and `-`/`_`/space separators is refused rather than guessed
/// at, because the name becomes module and type names that must be valid Swift identifiers.
public struct ConnectorPackageNames: Sendable, Hashable {
    /// The base of every Swift name, e.g. `HttpPoller`.
    public let base: String
    /// The SwiftPM package name (`--package-name`); defaults to ``base``.
    public let packageName: String

    /// Longer names make unreadable type names; SwiftPM accepts them, people do not.
    static let maximumLength = 60

    /// - Throws: ``PluginAuthoringError`` naming the rule the name breaks.
    public init(_ name: String, packageName: String? = nil) throws(PluginAuthoringError) {
        let base = try Self.sanitisedBase(name)
        self.base = base
        if let packageName {
            self.packageName = try Self.validatedPackageName(packageName)
        } else {
            self.packageName = base
        }
    }

    /// The library target with the connectors and `register(into:)`; also a product, for compiled-in
    /// workers.
    public var connectorsTarget: String { base + "Connectors" }
    /// The dynamic library target with the three `@c` entry points: what `plugin package` deploys.
    public var pluginTarget: String { base + "Plugin" }
    /// The test target.
    public var testsTarget: String { connectorsTarget + "Tests" }
    /// The plugin's name in `plugin.json` and its folder under `plugin.path`: `http-poller`.
    public var pluginName: String { Self.kebabCase(base) }
    /// The Java-style package of the class names: `com.example.httppoller`.
    public var classPackage: String { "com.example." + base.lowercased() }

    /// `HttpPollerSourceConnector`.
    public func connectorType(_ kind: ConnectorKind) -> String { base + kind.typeWord + "Connector" }
    /// `HttpPollerSourceTask`.
    public func taskType(_ kind: ConnectorKind) -> String { base + kind.typeWord + "Task" }
    /// `HttpPollerSourceConfig`.
    public func configType(_ kind: ConnectorKind) -> String { base + kind.typeWord + "Config" }
    /// `com.example.httppoller.HttpPollerSourceConnector`: the `connector.class` to POST.
    public func className(_ kind: ConnectorKind) -> String { classPackage + "." + connectorType(kind) }

    static func sanitisedBase(_ name: String) throws(PluginAuthoringError) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        let example =
            "use ASCII letters and digits, starting with a letter; words may be separated by '-' or '_' "
            + "(e.g. HttpPoller or http-poller)"
        guard !trimmed.isEmpty else { throw PluginAuthoringError("The connector name is empty: \(example)") }
        let separators: Set<Character> = ["-", "_", " "]
        var base = ""
        for word in trimmed.split(whereSeparator: { separators.contains($0) }) {
            for character in word where !(character.isASCII && (character.isLetter || character.isNumber)) {
                throw PluginAuthoringError(
                    "'\(name)' is not a valid connector name: '\(character)' is not allowed; \(example)"
                )
            }
            base += word.prefix(1).uppercased() + word.dropFirst()
        }
        guard let first = base.first, first.isLetter else {
            throw PluginAuthoringError(
                "'\(name)' is not a valid connector name: it must start with a letter; \(example)"
            )
        }
        if base.hasSuffix("Connector") && base.count > "Connector".count {
            base.removeLast("Connector".count)
        }
        guard base.count <= maximumLength else {
            throw PluginAuthoringError(
                "'\(name)' is not a valid connector name: longer than \(maximumLength) characters"
            )
        }
        return base
    }

    static func validatedPackageName(_ name: String) throws(PluginAuthoringError) -> String {
        let valid =
            name.first.map { $0.isASCII && $0.isLetter } == true
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        guard valid else {
            throw PluginAuthoringError(
                "'\(name)' is not a valid package name: use ASCII letters, digits, '-' and '_', starting with a letter"
            )
        }
        return name
    }

    /// `HttpPoller` -> `http-poller`, `HTTPPoller2` -> `httppoller2`: a hyphen before each capital
    /// that follows a lower-case letter or digit.
    static func kebabCase(_ name: String) -> String {
        var result = ""
        var previous: Character?
        for character in name {
            if character.isUppercase, let previous, previous.isLowercase || previous.isNumber {
                result.append("-")
            }
            result += character.lowercased()
            previous = character
        }
        return result
    }
}
