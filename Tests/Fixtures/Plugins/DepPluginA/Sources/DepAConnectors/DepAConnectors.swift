import ConnectAPI
import Dep

/// Registers the fixture's connector.
public func register(into registrar: ConnectPluginRegistrar) {
    registrar.register(source: DescribeSourceConnector.self, className: "fixture.depa.DescribeSourceConnector")
}

/// Each poll returns one record whose value is `Dep.describe()` of the Dep version this plugin links.
public struct DescribeSourceConnector: SourceConnector {
    public typealias TaskType = DescribeSourceTask
    public static let version = "0.1.0"
    public static let configDef = ConfigDef([])

    public init() {}
    public func start(configs: [String: String]) async throws {}
    public func taskConfigs(maxTasks: Int) async throws -> [[String: String]] { [[:]] }
    public func stop() async {}
}

/// DescribeSourceConnector's task.
public struct DescribeSourceTask: SourceTask {
    public static let version = "0.1.0"

    public init() {}
    public func start(configs: [String: String]) async throws {}
    public func poll() async throws -> [SourceRecord]? {
        [
            SourceRecord(
                sourcePartition: nil,
                sourceOffset: nil,
                topic: "dep",
                valueSchema: .string,
                value: .string(Dep.describe())
            )
        ]
    }
    public func stop() async {}
}
