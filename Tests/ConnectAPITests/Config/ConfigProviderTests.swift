import ConnectAPI
import Foundation
import Testing

/// A fresh temporary directory, removed when the value goes away.
private final class TemporaryDirectory {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("ConnectAPITests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }
}

@Suite struct ConfigProviderTests {
    @Test func fileProviderReadsJavaProperties() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write(
            "secrets.properties",
            """
            # a comment
            ! another comment
            db.user = connect
            db.password:s3cr\\u0065t
            multi.line = first, \\
                         second
            key\\ with\\ spaces=value\\tafter tab
            empty=
            """
        )
        let provider = try FileConfigProvider(configs: [:])
        let all = try await provider.get(path: file)
        #expect(
            all.data == [
                "db.user": "connect",
                "db.password": "s3cret",
                "multi.line": "first, second",
                "key with spaces": "value\tafter tab",
                "empty": "",
            ]
        )
        let some = try await provider.get(path: file, keys: ["db.user", "missing"])
        #expect(some.data == ["db.user": "connect"])

        await #expect(throws: ConfigError.self) { try await provider.get(path: directory.path + "/nope.properties") }
    }

    @Test func fileProviderHonoursAllowedPaths() async throws {
        let allowed = try TemporaryDirectory()
        let other = try TemporaryDirectory()
        let inside = try allowed.write("a.properties", "k=inside")
        let outside = try other.write("b.properties", "k=outside")
        let provider = try FileConfigProvider(configs: ["allowed.paths": allowed.path])
        #expect(try await provider.get(path: inside).data == ["k": "inside"])
        #expect(try await provider.get(path: outside).data == [:])
        // Escaping with .. is normalized away before the check.
        #expect(
            try await provider.get(
                path: allowed.path + "/../" + (other.path as NSString).lastPathComponent + "/b.properties"
            ).data == [:]
        )
        #expect(throws: ConfigError.self) { try FileConfigProvider(configs: ["allowed.paths": "relative/dir"]) }
        #expect(throws: ConfigError.self) {
            try FileConfigProvider(configs: ["allowed.paths": "/does/not/exist/\(UUID())"])
        }
    }

    @Test func directoryProviderReadsWholeFiles() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("db-password", "p@ss\n")
        try directory.write("api-key", "abc")
        try FileManager.default.createDirectory(atPath: directory.path + "/nested", withIntermediateDirectories: false)
        let provider = try DirectoryConfigProvider(configs: [:])
        #expect(try await provider.get(path: directory.path).data == ["db-password": "p@ss\n", "api-key": "abc"])
        #expect(try await provider.get(path: directory.path, keys: ["api-key", "nested"]).data == ["api-key": "abc"])
        #expect(try await provider.get(path: directory.path + "/api-key").data == [:])  // not a directory
        #expect(try await provider.get(path: "").data == [:])
    }

    @Test func envVarProviderFiltersByAllowlist() async throws {
        let environment = ["CONNECT_DB_PASSWORD": "pw", "CONNECT_USER": "u", "HOME": "/root"]
        let provider = try EnvVarConfigProvider(environment: environment, configs: ["allowlist.pattern": "^CONNECT_.*"])
        #expect(try await provider.get(path: "").data == ["CONNECT_DB_PASSWORD": "pw", "CONNECT_USER": "u"])
        #expect(try await provider.get(path: "", keys: ["HOME", "CONNECT_USER"]).data == ["CONNECT_USER": "u"])
        let error = await #expect(throws: ConfigError.self) { try await provider.get(path: "/etc", keys: ["HOME"]) }
        #expect(error?.message == "Path is not supported for EnvVarConfigProvider, invalid value '/etc'")

        // The pattern must match the whole name.
        let partial = try EnvVarConfigProvider(environment: environment, configs: ["allowlist.pattern": "USER"])
        #expect(try await partial.get(path: "").data == [:])
        let everything = try EnvVarConfigProvider(environment: environment, configs: [:])
        #expect(try await everything.get(path: "").data == environment)
        // The real environment is readable too.
        let real = try EnvVarConfigProvider(configs: [:])
        #expect(try await real.get(path: "", keys: ["PATH"]).data["PATH"] != nil)
    }

    @Test func transformerSubstitutesPlaceholders() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("db.properties", "user=connect\npassword=s3cret\n")
        try directory.write("token", "t0k3n")
        let transformer = ConfigTransformer(providers: [
            "file": try FileConfigProvider(configs: [:]),
            "dir": try DirectoryConfigProvider(configs: [:]),
            "env": try EnvVarConfigProvider(environment: ["CONNECT_HOST": "db.local"], configs: [:]),
        ])
        let result = try await transformer.transform([
            "connection.url": "jdbc://${env:CONNECT_HOST}:5432/${file:\(file):user}",
            "connection.password": "${file:\(file):password}",
            "api.token": "${dir:\(directory.path):token}",
            "unknown.provider": "${vault:secret/data:key}",
            "missing.key": "${file:\(file):nope}",
            "no.placeholder": "plain ${not one} $ {x:y}",
        ])
        #expect(result.data["connection.url"] == "jdbc://db.local:5432/connect")
        #expect(result.data["connection.password"] == "s3cret")
        #expect(result.data["api.token"] == "t0k3n")
        #expect(result.data["unknown.provider"] == "${vault:secret/data:key}")
        #expect(result.data["missing.key"] == "${file:\(file):nope}")
        #expect(result.data["no.placeholder"] == "plain ${not one} $ {x:y}")
        #expect(result.ttls.isEmpty)
    }

    @Test func transformerReportsTTLsAndProviderErrors() async throws {
        struct Expiring: ConfigProvider {
            init(configs: [String: String]) throws {}
            func get(path: String) async throws -> ConfigData { ConfigData(data: [:]) }
            func get(path: String, keys: Set<String>) async throws -> ConfigData {
                guard path != "broken" else { throw ConfigError("cannot read \(path)") }
                return ConfigData(data: ["k": "v:\(path)"], ttl: 60_000)
            }
        }
        let transformer = ConfigTransformer(providers: ["vault": try Expiring(configs: [:])])
        let result = try await transformer.transform(["a": "${vault:p1:k}-${vault:p2:k}"])
        #expect(result.data["a"] == "v:p1-v:p2")
        #expect(result.ttls == ["p1": 60_000, "p2": 60_000])
        await #expect(throws: ConfigError.self) { try await transformer.transform(["a": "${vault:broken:k}"]) }
    }

    @Test func findsVariablesLikeKafkasPattern() {
        let variables = ConfigTransformer.variables(in: "${a:b} ${c:d:e} ${f:g:h:i} ${nocolon} ${:k}")
        #expect(variables.map(\.provider) == ["a", "c", "f", ""])
        #expect(variables.map(\.path) == ["", "d", "g", ""])
        #expect(variables.map(\.key) == ["b", "e", "h:i", "k"])
        #expect(ConfigTransformer.containsVariable("x${p:k}y"))
        #expect(!ConfigTransformer.containsVariable("${p}"))
        // `[^}]` spans `${`, as the regex does.
        #expect(ConfigTransformer.variables(in: "${a${b:c}").map(\.provider) == ["a${b"])
    }

    @Test func javaPropertiesEdgeCases() throws {
        let entries = try JavaProperties.parse(
            "a=1\r\nb : 2\n  c   3\nd\\=e=4\nf=x\\\\\ng=\\u00e9\\uD83D\\uDE00\nh\n#i=5\na=6"
        )
        #expect(entries.map(\.key) == ["a", "b", "c", "d=e", "f", "g", "h"])
        #expect(entries.map(\.value) == ["6", "2", "3", "4", "x\\", "é😀", ""])
        #expect(throws: ConfigError.self) { try JavaProperties.parse("bad=\\u12") }
    }
}
