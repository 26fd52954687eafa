import ConnectAPI

/// A library with Swift code but none of the `connect_plugin_*` entry points.
public func notAPlugin() -> UInt32 { ConnectABI.version }
