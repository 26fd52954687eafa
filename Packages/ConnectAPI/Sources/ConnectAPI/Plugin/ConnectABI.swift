/// The versions a plugin loaded from `plugin.path` must share with the worker (docs/plugins.md).
///
/// ConnectAPI is built without library evolution, so any change to a public declaration is a binary
/// break: ``version`` is bumped on every such change, and a plugin runs only in a worker whose
/// `libConnectAPI.so` has the same ABI version. Swift's standard library has no stable ABI on Linux,
/// so the compiler version must match too.
///
/// ``version`` and ``compilerVersion`` are emitted into the client: a plugin's entry points return
/// the values of the ConnectAPI it was compiled against, while ``runtimeVersion`` and
/// ``runtimeCompilerVersion`` are the values of the `libConnectAPI.so` the worker has loaded.
public enum ConnectABI {
    /// The ConnectAPI ABI version this code is compiled against. Bump on any change of a public
    /// declaration of ConnectAPI.
    @_alwaysEmitIntoClient
    public static var version: UInt32 { 1 }

    /// The compiler this code is compiled with, as `major * 10000 + minor * 100 + patch` (60301 for
    /// Swift 6.3.1); 0 for a compiler older than the ladder knows.
    @_alwaysEmitIntoClient
    public static var compilerVersion: UInt32 {
        #if compiler(>=6.5)
        return 60500
        #elseif compiler(>=6.4.2)
        return 60402
        #elseif compiler(>=6.4.1)
        return 60401
        #elseif compiler(>=6.4)
        return 60400
        #elseif compiler(>=6.3.2)
        return 60302
        #elseif compiler(>=6.3.1)
        return 60301
        #elseif compiler(>=6.3)
        return 60300
        #elseif compiler(>=6.2.4)
        return 60204
        #elseif compiler(>=6.2.3)
        return 60203
        #elseif compiler(>=6.2.2)
        return 60202
        #elseif compiler(>=6.2.1)
        return 60201
        #elseif compiler(>=6.2)
        return 60200
        #elseif compiler(>=6.1)
        return 60100
        #elseif compiler(>=6.0)
        return 60000
        #else
        return 0
        #endif
    }

    /// ``compilerVersion`` as people write it: `"6.3.1"`.
    @_alwaysEmitIntoClient
    public static var compilerVersionString: String { versionString(compilerVersion) }

    /// The ABI version of the `libConnectAPI.so` in this process (the worker's).
    public static let runtimeVersion: UInt32 = version

    /// The compiler that built the `libConnectAPI.so` in this process (the worker's).
    public static let runtimeCompilerVersion: UInt32 = compilerVersion

    /// ``runtimeCompilerVersion`` as people write it: `"6.3.1"`.
    public static let runtimeCompilerVersionString: String = versionString(runtimeCompilerVersion)

    /// Writes an encoded compiler version (60301) as `"6.3.1"`.
    @_alwaysEmitIntoClient
    public static func versionString(_ encoded: UInt32) -> String {
        "\(encoded / 10000).\(encoded / 100 % 100).\(encoded % 100)"
    }
}
