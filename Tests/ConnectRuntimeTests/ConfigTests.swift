import ConnectAPI
import ConnectFile
import Testing

@testable import ConnectRuntime

extension PluginRegistry {
    static var withFileStream: PluginRegistry {
        var registry = PluginRegistry.kafkaBuiltIns
        registry.register(source: FileStreamSourceConnector.self, className: FileStreamSourceConnector.className)
        registry.register(sink: FileStreamSinkConnector.self, className: FileStreamSinkConnector.className)
        return registry
    }
}

let minimalWorker = [
    "key.converter": "org.apache.kafka.connect.storage.StringConverter",
    "value.converter": "StringConverter",
    "offset.storage.file.filename": "/tmp/offsets",
]

@Suite struct WorkerConfigTests {
    @Test func hasKafkasDefaults() throws {
        let config = try WorkerConfig(standalone: minimalWorker)
        #expect(config.bootstrapServers == ["localhost:9092"])
        #expect(config.headerConverter == "org.apache.kafka.connect.storage.SimpleHeaderConverter")
        #expect(config.offsetFlushInterval == .seconds(60))
        #expect(config.offsetFlushTimeout == .seconds(5))
        #expect(config.taskShutdownGracefulTimeout == .seconds(5))
        #expect(config.listeners == ["http://:8083"])
        #expect(config.overridePolicy == .all)
        #expect(config.topicCreationEnabled)
        #expect(config.offsetStorageFileName == "/tmp/offsets")
    }

    @Test(arguments: ["key.converter", "value.converter", "offset.storage.file.filename"])
    func requiresConvertersAndTheOffsetFile(key: String) {
        var props = minimalWorker
        props[key] = nil
        #expect {
            try WorkerConfig(standalone: props)
        } throws: { error in
            (error as? ConfigError)?.name == key
                && (error as? ConfigError)?.message
                    == "Missing required configuration \"\(key)\" which has no default value."
        }
    }

    @Test func namesTheKeyOfAnInvalidValue() {
        var props = minimalWorker
        props["offset.flush.interval.ms"] = "soon"
        #expect {
            try WorkerConfig(standalone: props)
        } throws: { error in
            (error as? ConfigError)?.message
                == "Invalid value soon for configuration offset.flush.interval.ms: Not a number of type LONG"
        }
        props["offset.flush.interval.ms"] = nil
        props["connector.client.config.override.policy"] = "Some"
        #expect { try WorkerConfig(standalone: props) } throws: {
            ($0 as? ConfigError)?.name == "connector.client.config.override.policy"
        }
    }

    @Test func acceptsOverridePolicyNamesAndClassNames() throws {
        var props = minimalWorker
        props["connector.client.config.override.policy"] =
            "org.apache.kafka.connect.connector.policy.PrincipalConnectorClientConfigOverridePolicy"
        let config = try WorkerConfig(standalone: props)
        #expect(config.overridePolicy == .principal)
        #expect(config.overridePolicy.allows("security.protocol"))
        #expect(!config.overridePolicy.allows("acks"))
    }
}

@Suite struct ConnectorConfigTests {
    let plugins = PluginRegistry.withFileStream

    @Test func hasKafkasDefaults() throws {
        let config = try ConnectorConfig(
            ["name": "src", "connector.class": "FileStreamSource"],
            definition: ConnectorConfig.sourceDefinition
        )
        #expect(config.tasksMax == 1)
        #expect(config.tasksMaxEnforce)
        #expect(config.errorTolerance == .none)
        #expect(ConnectorConfig.sourceDefinition["errors.retry.delay.max.ms"]?.defaultValue == .value(.long(60000)))
        #expect(ConnectorConfig.sourceDefinition["exactly.once.support"]?.defaultValue == .value(.string("requested")))
        #expect(
            ConnectorConfig.sinkDefinition["errors.deadletterqueue.topic.replication.factor"]?.defaultValue
                == .value(.short(3))
        )
    }

    @Test func validationReportsEveryProblemByKey() async throws {
        let plugin = try #require(plugins.connectorPlugin(named: "FileStreamSource"))
        let validation = await ConnectorConfig.validate(
            [
                "name": "src", "connector.class": "FileStreamSource", "tasks.max": "0",
                "transforms": "x", "transforms.x.type": "NoSuchTransform",
                "value.converter": "NoSuchConverter",
                "producer.override.acks": "1",
            ],
            plugin: plugin,
            plugins: plugins,
            overridePolicy: .none
        )
        func errors(_ key: String) -> [String] { validation.values.filter { $0.name == key }.flatMap(\.errorMessages) }
        #expect(errors("tasks.max") == ["Invalid value 0 for configuration tasks.max: Value must be at least 1"])
        #expect(errors("topic") == ["Missing required configuration \"topic\" which has no default value."])
        #expect(errors("transforms.x.type").first?.contains("Class NoSuchTransform could not be found.") == true)
        #expect(
            errors("value.converter") == [
                "Invalid value NoSuchConverter for configuration value.converter: Class NoSuchConverter could not be found."
            ]
        )
        #expect(
            errors("producer.override.acks") == [
                "The 'None' policy does not allow 'acks' to be overridden in the connector configuration."
            ]
        )
        #expect(validation.errorCount == 5)
        #expect(validation.firstError?.name == "tasks.max")
        #expect(
            validation.errorMessage?.hasPrefix(
                "Connector configuration is invalid and contains the following 5 error(s):"
            ) == true
        )
    }

    @Test func sinkNeedsExactlyOneOfTopicsAndTopicsRegex() async throws {
        let plugin = try #require(plugins.connectorPlugin(named: "FileStreamSinkConnector"))
        let neither = await ConnectorConfig.validate(
            ["name": "sink", "connector.class": "FileStreamSink"],
            plugin: plugin,
            plugins: plugins,
            overridePolicy: .all
        )
        #expect(
            neither.values.first { $0.name == "topics" }?.errorMessages == [
                "Must configure one of topics or topics.regex"
            ]
        )
        let valid = await ConnectorConfig.validate(
            ["name": "sink", "connector.class": "FileStreamSink", "topics": "t"],
            plugin: plugin,
            plugins: plugins,
            overridePolicy: .all
        )
        #expect(valid.errorCount == 0)
    }

    @Test func connectorClassesResolveByClassNameAndAliases() throws {
        for name in [
            "org.apache.kafka.connect.file.FileStreamSourceConnector", "FileStreamSourceConnector", "FileStreamSource",
        ] {
            #expect(plugins.connectorPlugin(named: name)?.type == .source)
        }
        #expect(plugins.connectorPlugin(named: "FileStreamSink")?.type == .sink)
        #expect { try plugins.requireConnectorPlugin(named: "Nope") } throws: {
            ($0 as? ConfigError)?.name == "connector.class"
        }
    }

    @Test func connectorConvertersOverrideTheWorkersOnlyWhenTheClassIsSet() throws {
        var workerProps = minimalWorker
        workerProps["value.converter"] = "JsonConverter"
        workerProps["value.converter.schemas.enable"] = "false"
        let worker = try WorkerConfig(standalone: workerProps)
        // No class at connector level: the worker's converter and sub-keys; connector sub-keys ignored.
        let inherited = try TaskConverters(
            worker: worker,
            connector: ["value.converter.schemas.enable": "true"],
            registry: plugins.converters
        )
        #expect(
            try inherited.value.fromConnectData(topic: "t", schema: .string, value: .string("a")) == Array("\"a\"".utf8)
        )
        // Class at connector level: configured from the connector's sub-keys only (schemas.enable default true).
        let overridden = try TaskConverters(
            worker: worker,
            connector: ["value.converter": "org.apache.kafka.connect.json.JsonConverter"],
            registry: plugins.converters
        )
        let enveloped = try overridden.value.fromConnectData(topic: "t", schema: .string, value: .string("a"))
        #expect(enveloped.map { String(decoding: $0, as: UTF8.self) }?.hasPrefix("{\"schema\"") == true)
        #expect(inherited.header is SimpleHeaderConverter)
        #expect {
            try TaskConverters(worker: worker, connector: ["key.converter": "Nope"], registry: plugins.converters)
        } throws: { ($0 as? ConfigError)?.name == "key.converter" }
    }

    @Test func producerSettingsFollowKafkasPrecedence() throws {
        var workerProps = minimalWorker
        workerProps["bootstrap.servers"] = "a:1,b:2"
        workerProps["producer.linger.ms"] = "20"
        workerProps["producer.acks"] = "1"
        let worker = try WorkerConfig(standalone: workerProps)
        let connector = try ConnectorConfig([
            "name": "src", "connector.class": "FileStreamSource", "producer.override.acks": "0",
        ])
        let props = ClientConfigs.sourceProducerProperties(
            worker: worker,
            connector: connector,
            taskID: ConnectorTaskID(connector: "src", task: 2)
        )
        #expect(props["bootstrap.servers"] == "a:1,b:2")
        #expect(props["linger.ms"] == "20")
        #expect(props["acks"] == "0")
        #expect(props["enable.idempotence"] == "false")
        #expect(props["client.id"] == "connector-producer-src-2")
    }
}

@Suite struct ConnectorConfigFileTests {
    @Test func readsPropertiesWithJavasRules() throws {
        let entry = try ConnectorConfigFile.connector(
            """
            # comment
            ! also a comment
            name = local-file-source
            connector.class:FileStreamSource
            file=/tmp/a\\
                b.txt
            topic connect-test
            """,
            file: "c.properties"
        )
        #expect(entry.name == "local-file-source")
        #expect(entry.config["connector.class"] == "FileStreamSource")
        #expect(entry.config["file"] == "/tmp/ab.txt")
        #expect(entry.config["topic"] == "connect-test")
    }

    @Test func readsJSONObjectsAndCreateRequests() throws {
        let flat = try ConnectorConfigFile.connector(
            #"{"name": "a", "connector.class": "FileStreamSource", "tasks.max": 1}"#,
            file: "a.json"
        )
        #expect(flat.config == ["name": "a", "connector.class": "FileStreamSource", "tasks.max": "1"])
        let request = try ConnectorConfigFile.connector(
            #"{"name": "b", "config": {"connector.class": "FileStreamSink", "topics": "t"}}"#,
            file: "b.json"
        )
        #expect(request.name == "b")
        #expect(request.config == ["name": "b", "connector.class": "FileStreamSink", "topics": "t"])
        #expect(throws: ConfigError.self) { try ConnectorConfigFile.connector(#"{"topic": "t"}"#, file: "c.json") }
        #expect(throws: ConfigError.self) { try ConnectorConfigFile.connector(#"{"name": "#, file: "d.json") }
    }
}
