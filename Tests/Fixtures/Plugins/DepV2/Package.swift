// swift-tools-version:6.0
import PackageDescription

// Test fixture: a "third-party" package that two plugins use in different versions (DepV1, DepV2:
// same package name, same module name `Dep`, different code and layout). Each plugin links its
// version statically, so both work in one worker.
let package = Package(
    name: "Dep",
    products: [.library(name: "Dep", targets: ["Dep"])],
    targets: [.target(name: "Dep")],
    swiftLanguageModes: [.v6]
)
