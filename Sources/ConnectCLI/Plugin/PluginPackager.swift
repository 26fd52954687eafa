import Foundation

/// The steps of `swift-connect plugin package` that decide something, apart from running the build.
enum PluginPackager {
    /// The dynamic library product to build: the requested one, or the package's only one.
    /// - Throws: ``PluginAuthoringError`` saying what a plugin package must declare.
    static func entryProduct(
        requested: String?,
        in description: PackageDescriptionDump,
        at directory: String
    ) throws(PluginAuthoringError) -> String {
        let dynamic = description.products.filter(\.isDynamicLibrary).map(\.name)
        if let requested {
            guard dynamic.contains(requested) else {
                throw PluginAuthoringError(
                    "\(directory) has no dynamic library product \(requested); its dynamic libraries: "
                        + (dynamic.isEmpty ? "none" : dynamic.joined(separator: ", "))
                )
            }
            return requested
        }
        guard dynamic.count == 1 else {
            throw PluginAuthoringError(
                dynamic.isEmpty
                    ? "\(directory) has no plugin library: a plugin package declares .library(name: \"<Name>Plugin\", "
                        + "type: .dynamic, targets: [\"<Name>Plugin\"]) whose target has the three @c entry points "
                        + "(swift-connect plugin new generates one)"
                    : "\(directory) has several dynamic library products (\(dynamic.joined(separator: ", "))): "
                        + "choose one with --product"
            )
        }
        return dynamic[0]
    }

    /// Where SwiftPM puts a dynamic library product.
    static func libraryPath(binDirectory: String, product: String) -> String {
        #if canImport(Darwin)
        return binDirectory + "/lib\(product).dylib"
        #else
        return binDirectory + "/lib\(product).so"
        #endif
    }
}
