/// What a plugin provides: its connectors, converters, header converters, transformations and
/// predicates, by class name. A plugin's `connect_plugin_register` entry point fills one and returns
/// it with ``export()``; the worker turns it into entries of its plugin registry, where each class is
/// usable by class name and alias like a built-in (docs/plugins.md).
///
/// ```swift
/// // In the plugin's connector target, also usable by compiled-in builds:
/// public func register(into registrar: ConnectPluginRegistrar) {
///     registrar.register(source: WeatherSourceConnector.self, className: "com.example.WeatherSourceConnector")
/// }
/// // In the plugin's entry-point target:
/// @c public func connect_plugin_register() -> UnsafeMutableRawPointer {
///     let registrar = ConnectPluginRegistrar(pluginName: "weather", version: "0.1.0")
///     MyConnectors.register(into: registrar)
///     return registrar.export()
/// }
/// ```
///
/// Registering a class name again replaces the earlier registration of that kind.
public final class ConnectPluginRegistrar {
    /// One registered class.
    public struct Registration<PluginType>: Sendable where PluginType: Sendable {
        /// The class name (`com.example.MySourceConnector`); aliases derive from it as for built-ins.
        public let className: String
        /// The Swift type.
        public let type: PluginType
    }

    /// The plugin's name (the manifest's `name`).
    public let pluginName: String
    /// The plugin's version (the manifest's `version`); the worker reports it for the plugin's
    /// converters, transformations and predicates (connectors report their own `version`).
    public let version: String

    /// Source connectors, in registration order.
    public private(set) var sourceConnectors: [Registration<any SourceConnector.Type>] = []
    /// Sink connectors, in registration order.
    public private(set) var sinkConnectors: [Registration<any SinkConnector.Type>] = []
    /// Converters (`key.converter`, `value.converter`), in registration order.
    public private(set) var converters: [Registration<any Converter.Type>] = []
    /// Header converters (`header.converter`), in registration order.
    public private(set) var headerConverters: [Registration<any HeaderConverter.Type>] = []
    /// Transformations (`transforms.<alias>.type`), in registration order.
    public private(set) var transformations: [Registration<any Transformation.Type>] = []
    /// Predicates (`predicates.<alias>.type`), in registration order.
    public private(set) var predicates: [Registration<any RecordPredicate.Type>] = []

    /// An empty registrar for the plugin `pluginName` at `version`.
    public init(pluginName: String, version: String) {
        self.pluginName = pluginName
        self.version = version
    }

    /// Registers a source connector under a class name.
    public func register<C: SourceConnector>(source type: C.Type, className: String) {
        Self.replace(&sourceConnectors, with: Registration(className: className, type: type))
    }

    /// Registers a sink connector under a class name.
    public func register<C: SinkConnector>(sink type: C.Type, className: String) {
        Self.replace(&sinkConnectors, with: Registration(className: className, type: type))
    }

    /// Registers a converter under a class name.
    public func register(converter type: any Converter.Type, className: String) {
        Self.replace(&converters, with: Registration(className: className, type: type))
    }

    /// Registers a header converter under a class name.
    public func register(headerConverter type: any HeaderConverter.Type, className: String) {
        Self.replace(&headerConverters, with: Registration(className: className, type: type))
    }

    /// Registers a transformation under a class name.
    public func register<T: Transformation>(transformation type: T.Type, className: String) {
        Self.replace(&transformations, with: Registration(className: className, type: type))
    }

    /// Registers a predicate under a class name.
    public func register<P: RecordPredicate>(predicate type: P.Type, className: String) {
        Self.replace(&predicates, with: Registration(className: className, type: type))
    }

    /// Hands the registrar to the worker from `connect_plugin_register`: a +1 retained reference as
    /// an opaque pointer, taken back with ``takeExported(_:)``.
    public func export() -> UnsafeMutableRawPointer {
        Unmanaged.passRetained(self).toOpaque()
    }

    /// The registrar behind a pointer from ``export()``, consuming the reference it carries. Call it
    /// once per pointer, and only on a pointer returned by `connect_plugin_register` of a plugin that
    /// passed the ABI handshake.
    public static func takeExported(_ pointer: UnsafeMutableRawPointer) -> ConnectPluginRegistrar {
        Unmanaged<ConnectPluginRegistrar>.fromOpaque(pointer).takeRetainedValue()
    }

    private static func replace<T>(_ list: inout [Registration<T>], with registration: Registration<T>) {
        list.removeAll { $0.className == registration.className }
        list.append(registration)
    }
}
