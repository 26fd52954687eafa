import ConnectAPI
import ConnectREST
import ConnectRuntime
import Foundation
import Logging
import Testing

/// The REST API against a real server on a loopback port: status codes, JSON shapes and Kafka's
/// error bodies for every endpoint.
@Suite struct RESTServerTests {
    static let source = #"{"connector.class":"TestSource","tasks.max":"2","test.tasks":"2""#

    @Test func rootAndHealth() async throws {
        let rest = try await RESTFixture.start(ready: false)
        let starting = try await rest.call("GET", "/health")
        #expect(starting.status == 503)
        #expect(starting.object["status"] as? String == "starting")
        #expect(starting.object["message"] is String)
        rest.server.handler.markReady()
        let healthy = try await rest.call("GET", "/health")
        #expect(healthy.status == 200)
        #expect(healthy.object["status"] as? String == "healthy")
        let root = try await rest.call("GET", "/")
        #expect(root.status == 200)
        #expect(Set(root.object.keys) == ["version", "commit", "kafka_cluster_id"])
        #expect(root.object["kafka_cluster_id"] as? String == "test-cluster")
        #expect(root.headers["content-type"] == "application/json")
        await rest.stop()
    }

    @Test func createReadUpdateDelete() async throws {
        let rest = try await RESTFixture.start()
        let created = try await rest.call(
            "POST",
            "/connectors",
            #"{"name":"a","config":\#(Self.source),"test.secret":"s3cr3t","tasks.max":2}}"#
        )
        #expect(created.status == 201)
        #expect(created.headers["location"] == "/connectors/a")
        #expect(created.object["name"] as? String == "a")
        #expect(created.object["type"] as? String == "source")
        let config = try #require(created.object["config"] as? [String: String])
        #expect(config["name"] == "a")
        #expect(config["tasks.max"] == "2")  // a JSON number becomes a string, as Jackson coerces it
        #expect(config["test.secret"] == "[hidden]")
        let tasks = try #require(created.object["tasks"] as? [[String: Any]])
        #expect(tasks.map { $0["task"] as? Int } == [0, 1])
        #expect(tasks.allSatisfy { $0["connector"] as? String == "a" })

        let duplicate = try await rest.call("POST", "/connectors", #"{"name":"a","config":\#(Self.source)}}"#)
        #expect(duplicate.status == 409)
        #expect(duplicate.error?.code == 409)
        #expect(duplicate.error?.message == "Connector a already exists")

        #expect(try await rest.call("GET", "/connectors").json as? [String] == ["a"])
        let info = try await rest.call("GET", "/connectors/a")
        #expect(info.status == 200)
        #expect(Set(info.object.keys) == ["name", "config", "tasks", "type"])
        let stored = try await rest.call("GET", "/connectors/a/config")
        #expect(stored.object["test.secret"] as? String == "[hidden]")
        #expect(stored.object["connector.class"] as? String == "TestSource")

        // A secret given as a config-provider placeholder is shown as submitted.
        let updated = try await rest.call(
            "PUT",
            "/connectors/a/config",
            #"{"connector.class":"TestSource","test.tasks":"1","test.secret":"${env:SECRET}"}"#
        )
        #expect(updated.status == 200)
        #expect((updated.object["config"] as? [String: String])?["test.secret"] == "${env:SECRET}")
        #expect((updated.object["tasks"] as? [Any])?.count == 1)
        let taskList = try await rest.call("GET", "/connectors/a/tasks")
        let firstTask = try #require(taskList.array.first as? [String: Any])
        #expect((firstTask["id"] as? [String: Any])?["task"] as? Int == 0)
        #expect((firstTask["config"] as? [String: String])?["task.class"] == "com.example.TestSourceTask")
        #expect((firstTask["config"] as? [String: String])?["test.secret"] == "${env:SECRET}")
        let tasksConfig = try await rest.call("GET", "/connectors/a/tasks-config")
        #expect(tasksConfig.object.keys.sorted() == ["a-0"])

        let createdByPut = try await rest.call("PUT", "/connectors/b/config", #"{"connector.class":"TestSource"}"#)
        #expect(createdByPut.status == 201)
        #expect(createdByPut.headers["location"] == "/connectors/b")
        let mismatch = try await rest.call(
            "PUT",
            "/connectors/b/config",
            #"{"connector.class":"TestSource","name":"c"}"#
        )
        #expect(mismatch.status == 400)
        #expect(
            mismatch.error?.message == "Connector name configuration (c) doesn't match connector name in the URL (b)"
        )

        let patched = try await rest.call("PATCH", "/connectors/a/config", #"{"test.secret":null,"test.tasks":"2"}"#)
        #expect(patched.status == 200)
        let patchedConfig = try #require(patched.object["config"] as? [String: String])
        #expect(patchedConfig["test.secret"] == nil)
        #expect(patchedConfig["test.tasks"] == "2")
        #expect(try await rest.call("PATCH", "/connectors/nope/config", "{}").status == 404)

        let invalid = try await rest.call(
            "PUT",
            "/connectors/a/config",
            #"{"connector.class":"TestSource","test.tasks":"0"}"#
        )
        #expect(invalid.status == 400)
        #expect(
            invalid.error?.message.hasPrefix(
                "Connector configuration is invalid and contains the following 1 error(s):\n"
            ) == true
        )
        #expect(invalid.error?.message.contains("test.tasks") == true)
        let nullValue = try await rest.call(
            "PUT",
            "/connectors/a/config",
            #"{"connector.class":"TestSource","x":null}"#
        )
        #expect(nullValue.status == 400)
        #expect(nullValue.error?.message.contains("Null value can not be supplied as the configuration value.") == true)
        let noClass = try await rest.call("POST", "/connectors", #"{"name":"x","config":{"tasks.max":"1"}}"#)
        #expect(noClass.status == 400)
        #expect(noClass.error?.message.hasSuffix("contains no connector type") == true)
        let unknownClass = try await rest.call(
            "POST",
            "/connectors",
            #"{"name":"x","config":{"connector.class":"Nope"}}"#
        )
        #expect(unknownClass.status == 500)
        #expect(unknownClass.error?.message.hasPrefix("Failed to find any class that implements Connector") == true)

        let deleted = try await rest.call("DELETE", "/connectors/a")
        #expect(deleted.status == 204)
        #expect(deleted.body.isEmpty)
        let gone = try await rest.call("GET", "/connectors/a")
        #expect(gone.status == 404)
        #expect(gone.error?.message == "Connector a not found")
        #expect(try await rest.call("DELETE", "/connectors/a").status == 404)
        #expect(try await rest.call("GET", "/connectors/a/status").error?.message == "No status found for connector a")
        await rest.stop()
    }

    @Test func statusPauseResumeAndExpand() async throws {
        let rest = try await RESTFixture.start()
        try await rest.call("POST", "/connectors", #"{"name":"p","config":\#(Self.source)}}"#)
        let running = try await rest.waitForStatus("p") { taskStates($0) == ["RUNNING", "RUNNING"] }
        #expect(Set(running.keys) == ["name", "connector", "tasks", "type"])
        #expect(connectorState(running) == "RUNNING")
        let task = try await rest.call("GET", "/connectors/p/tasks/1/status")
        #expect(Set(task.object.keys) == ["id", "state", "worker_id"])
        #expect(task.object["id"] as? Int == 1)
        let missingTask = try await rest.call("GET", "/connectors/p/tasks/7/status")
        #expect(missingTask.status == 404)
        #expect(missingTask.error?.message == "No status found for task p-7")

        let pause = try await rest.call("PUT", "/connectors/p/pause")
        #expect(pause.status == 202)
        #expect(pause.body.isEmpty)
        let paused = try await rest.waitForStatus("p") { taskStates($0) == ["PAUSED", "PAUSED"] }
        #expect(connectorState(paused) == "PAUSED")
        #expect(try await rest.call("PUT", "/connectors/p/resume").status == 202)
        let resumed = try await rest.waitForStatus("p") { taskStates($0) == ["RUNNING", "RUNNING"] }
        #expect(connectorState(resumed) == "RUNNING")
        let unknown = try await rest.call("PUT", "/connectors/zz/pause")
        #expect(unknown.status == 404)
        #expect(unknown.error?.message == "Unknown connector zz")

        let statusOnly = try await rest.call("GET", "/connectors?expand=status")
        let pStatus = try #require(statusOnly.object["p"] as? [String: Any])
        #expect(Set(pStatus.keys) == ["status"])
        #expect(connectorState(pStatus["status"] as? [String: Any] ?? [:]) == "RUNNING")
        let infoOnly = try await rest.call("GET", "/connectors?expand=info")
        #expect(Set((infoOnly.object["p"] as? [String: Any] ?? [:]).keys) == ["info"])
        let both = try await rest.call("GET", "/connectors?expand=status&expand=info")
        let pBoth = try #require(both.object["p"] as? [String: Any])
        #expect(Set(pBoth.keys) == ["status", "info"])
        #expect((pBoth["info"] as? [String: Any])?["type"] as? String == "source")
        await rest.stop()
    }

    @Test func stopAndOffsets() async throws {
        let rest = try await RESTFixture.start()
        try await rest.call(
            "POST",
            "/connectors",
            #"{"name":"o","config":{"connector.class":"TestSource","test.handles.offsets":"true"}}"#
        )
        try await rest.store.set([
            OffsetKey(namespace: "o", partition: ["file": .string("a.txt")]): ["position": .int64(30)]
        ])
        let offsets = try await rest.call("GET", "/connectors/o/offsets")
        #expect(offsets.status == 200)
        let entries = try #require(offsets.object["offsets"] as? [[String: Any]])
        #expect(entries.count == 1)
        #expect((entries.first?["partition"] as? [String: Any])?["file"] as? String == "a.txt")
        #expect((entries.first?["offset"] as? [String: Any])?["position"] as? Int == 30)

        let alter = #"{"offsets":[{"partition":{"file":"a.txt"},"offset":{"position":5}}]}"#
        let notStopped = try await rest.call("PATCH", "/connectors/o/offsets", alter)
        #expect(notStopped.status == 400)
        #expect(notStopped.error?.message.hasPrefix("Connectors must be in the STOPPED state") == true)
        #expect(try await rest.call("DELETE", "/connectors/o/offsets").status == 400)

        let stop = try await rest.call("PUT", "/connectors/o/stop")
        #expect(stop.status == 204)
        let stopped = try await rest.call("GET", "/connectors/o/status")
        #expect(connectorState(stopped.object) == "STOPPED")
        #expect((stopped.object["tasks"] as? [Any])?.isEmpty == true)
        #expect(try await rest.call("GET", "/connectors/o/tasks").array.isEmpty)
        #expect((try await rest.call("GET", "/connectors/o").object["tasks"] as? [Any])?.isEmpty == true)

        let empty = try await rest.call("PATCH", "/connectors/o/offsets", #"{"offsets":[]}"#)
        #expect(empty.status == 400)
        #expect(empty.error?.message == "Partitions / offsets need to be provided for an alter offsets request")
        let nested = try await rest.call(
            "PATCH",
            "/connectors/o/offsets",
            #"{"offsets":[{"partition":{"file":{"deep":1}},"offset":{"position":5}}]}"#
        )
        #expect(nested.status == 400)
        let altered = try await rest.call("PATCH", "/connectors/o/offsets", alter)
        #expect(altered.status == 200)
        #expect(altered.object["message"] as? String == "The offsets for this connector have been altered successfully")
        let after = try await rest.call("GET", "/connectors/o/offsets").object["offsets"] as? [[String: Any]]
        #expect((after?.first?["offset"] as? [String: Any])?["position"] as? Int == 5)
        let reset = try await rest.call("DELETE", "/connectors/o/offsets")
        #expect(reset.status == 200)
        #expect(reset.object["message"] as? String == "The offsets for this connector have been reset successfully")
        #expect((try await rest.call("GET", "/connectors/o/offsets").object["offsets"] as? [Any])?.isEmpty == true)
        #expect(try await rest.call("GET", "/connectors/none/offsets").status == 404)

        #expect(try await rest.call("PUT", "/connectors/o/resume").status == 202)
        let resumed = try await rest.waitForStatus("o") { taskStates($0) == ["RUNNING"] }
        #expect(connectorState(resumed) == "RUNNING")
        await rest.stop()
    }

    @Test func automaticRestartsShowInTheTaskStatus() async throws {
        let rest = try await RESTFixture.start()
        try await rest.call(
            "POST",
            "/connectors",
            #"{"name":"auto","config":{"connector.class":"TestSource","tasks.max":"1","test.tasks":"1","test.fail.task":"0","#
                + #""errors.task.restart.enable":"true","errors.task.restart.max.attempts":"1","#
                + #""errors.task.restart.backoff.initial.ms":"10"}}"#
        )
        // The task fails at start, is restarted once automatically, and fails again for good.
        let status = try await rest.waitForStatus("auto") { status in
            ((status["tasks"] as? [[String: Any]])?.first?["restarts"] as? Int) == 1
        }
        let task = try #require((status["tasks"] as? [[String: Any]])?.first)
        #expect(task["state"] as? String == "FAILED")
        #expect((task["last_restart_ms"] as? Int ?? 0) > 0)
        #expect((task["last_restart_trace"] as? String)?.contains("scripted task failure") == true)
        let single = try await rest.call("GET", "/connectors/auto/tasks/0/status")
        #expect(single.object["restarts"] as? Int == 1)
        await rest.stop()
    }

    @Test func restarts() async throws {
        let rest = try await RESTFixture.start()
        try await rest.call(
            "POST",
            "/connectors",
            #"{"name":"r","config":{"connector.class":"TestSource","tasks.max":"2","test.tasks":"2","test.fail.task":"0"}}"#
        )
        try await rest.waitForStatus("r") { taskStates($0) == ["FAILED", "RUNNING"] }
        let failed = try await rest.call("GET", "/connectors/r/tasks/0/status")
        #expect((failed.object["trace"] as? String)?.contains("scripted task failure") == true)

        let plain = try await rest.call("POST", "/connectors/r/restart")
        #expect(plain.status == 204)
        #expect(plain.body.isEmpty)
        let onlyFailed = try await rest.call("POST", "/connectors/r/restart?includeTasks=true&onlyFailed=true")
        #expect(onlyFailed.status == 202)
        #expect(connectorState(onlyFailed.object) == "RUNNING")
        #expect(taskStates(onlyFailed.object) == ["RESTARTING", "RUNNING"])
        let all = try await rest.call("POST", "/connectors/r/restart?includeTasks=true")
        #expect(all.status == 202)
        #expect(connectorState(all.object) == "RESTARTING")
        #expect(taskStates(all.object) == ["RESTARTING", "RESTARTING"])
        let connectorOnly = try await rest.call("POST", "/connectors/r/restart?onlyFailed=false&includeTasks=false")
        #expect(connectorOnly.status == 204)
        let unknown = try await rest.call("POST", "/connectors/zz/restart")
        #expect(unknown.error?.message == "Unknown connector: zz")

        #expect(try await rest.call("POST", "/connectors/r/tasks/1/restart").status == 204)
        let unknownTask = try await rest.call("POST", "/connectors/r/tasks/5/restart")
        #expect(unknownTask.status == 404)
        #expect(unknownTask.error?.message == "Unknown task: r-5")
        #expect(try await rest.call("POST", "/connectors/zz/tasks/0/restart").error?.message == "Unknown connector: zz")
        try await rest.waitForStatus("r") { taskStates($0) == ["FAILED", "RUNNING"] }
        await rest.stop()
    }

    @Test func pluginsAndValidation() async throws {
        let rest = try await RESTFixture.start()
        let connectors = try await rest.call("GET", "/connector-plugins").array.compactMap { $0 as? [String: Any] }
        #expect(connectors.count == 1)
        #expect(connectors.first?["class"] as? String == "com.example.TestSourceConnector")
        #expect(connectors.first?["type"] as? String == "source")
        #expect(connectors.first?["version"] as? String == "2.5.0")
        let all = try await rest.call("GET", "/connector-plugins?connectorsOnly=false").array
            .compactMap { $0 as? [String: Any] }
        let types = Set(all.compactMap { $0["type"] as? String })
        #expect(types == ["source", "converter", "header_converter", "transformation", "predicate"])
        #expect(all.allSatisfy { $0["version"] is String })
        #expect(
            all.contains {
                $0["class"] as? String == "org.apache.kafka.connect.storage.StringConverter"
                    && $0["type"] as? String == "header_converter"
            }
        )

        let keys = try await rest.call("GET", "/connector-plugins/TestSource/config").array
            .compactMap { $0 as? [String: Any] }
        #expect(keys.first?["name"] as? String == "test.secret")
        #expect(keys.first?["type"] as? String == "PASSWORD")
        #expect(keys.contains { $0["name"] as? String == "connector.class" })
        let filterKeys = try await rest.call("GET", "/connector-plugins/RegexRouter/config")
        #expect(filterKeys.status == 200)
        #expect(filterKeys.array.contains { ($0 as? [String: Any])?["name"] as? String == "regex" })
        let unknown = try await rest.call("GET", "/connector-plugins/Nope/config")
        #expect(unknown.status == 404)
        #expect(unknown.error?.message == "Unknown plugin Nope.")

        let validation = try await rest.call(
            "PUT",
            "/connector-plugins/TestSource/config/validate",
            #"{"name":"v","connector.class":"TestSource","test.tasks":"0","test.secret":"x"}"#
        )
        #expect(validation.status == 200)
        #expect(Set(validation.object.keys) == ["name", "error_count", "groups", "configs"])
        #expect(validation.object["name"] as? String == "TestSource")
        #expect(validation.object["error_count"] as? Int == 1)
        let configs = try #require(validation.object["configs"] as? [[String: Any]])
        let tasksValue = configs.compactMap { $0["value"] as? [String: Any] }.first {
            $0["name"] as? String == "test.tasks"
        }
        #expect((tasksValue?["errors"] as? [String])?.isEmpty == false)
        let secretValue = configs.compactMap { $0["value"] as? [String: Any] }.first {
            $0["name"] as? String == "test.secret"
        }
        #expect(secretValue?["value"] as? String == "[hidden]")
        let mismatch = try await rest.call(
            "PUT",
            "/connector-plugins/FileStreamSink/config/validate",
            #"{"connector.class":"TestSource"}"#
        )
        #expect(mismatch.status == 400)
        #expect(
            mismatch.error?.message == "Included connector type TestSource does not match request type FileStreamSink"
        )
        let noClass = try await rest.call("PUT", "/connector-plugins/TestSource/config/validate", "{}")
        #expect(noClass.status == 400)
        let unknownClass = try await rest.call(
            "PUT",
            "/connector-plugins/Nope/config/validate",
            #"{"connector.class":"Nope"}"#
        )
        #expect(unknownClass.status == 500)
        await rest.stop()
    }

    @Test func topics() async throws {
        let rest = try await RESTFixture.start()
        let none = try await rest.call("GET", "/connectors/t/topics")
        #expect(none.status == 200)
        #expect((none.object["t"] as? [String: Any])?["topics"] as? [String] == [])
        rest.herder.worker.activeTopics.record(connector: "t", topic: "b")
        rest.herder.worker.activeTopics.record(connector: "t", topic: "a")
        let used = try await rest.call("GET", "/connectors/t/topics")
        #expect((used.object["t"] as? [String: Any])?["topics"] as? [String] == ["a", "b"])
        #expect(try await rest.call("PUT", "/connectors/t/topics/reset").status == 202)
        #expect(
            ((try await rest.call("GET", "/connectors/t/topics").object["t"] as? [String: Any])?["topics"] as? [String])
                == []
        )
        await rest.stop()

        let disabled = try await RESTFixture.start(worker: ["topic.tracking.enable": "false"])
        let forbidden = try await disabled.call("GET", "/connectors/t/topics")
        #expect(forbidden.status == 403)
        #expect(forbidden.error?.message == "Topic tracking is disabled.")
        await disabled.stop()
        let noReset = try await RESTFixture.start(worker: ["topic.tracking.allow.reset": "false"])
        #expect(
            try await noReset.call("PUT", "/connectors/t/topics/reset").error?.message
                == "Topic tracking reset is disabled."
        )
        await noReset.stop()
    }

    @Test func loggers() async throws {
        let rest = try await RESTFixture.start()
        // A logger made through the level-controlled handler, as the CLI bootstraps swift-log.
        let worker = Logger(label: "org.apache.kafka.connect.runtime.Worker") { label in
            LevelControlledLogHandler(label: label, levels: rest.levels, base: SwiftLogNoOpLogHandler())
        }
        #expect(worker.logLevel == .info)
        let all = try await rest.call("GET", "/admin/loggers")
        #expect(all.status == 200)
        #expect((all.object["root"] as? [String: Any])?["level"] as? String == "INFO")
        #expect((all.object["root"] as? [String: Any])?["last_modified"] is NSNull)

        let set = try await rest.call("PUT", "/admin/loggers/org.apache.kafka.connect", #"{"level":"debug"}"#)
        #expect(set.status == 200)
        #expect(set.json as? [String] == ["org.apache.kafka.connect", "org.apache.kafka.connect.runtime.Worker"])
        #expect(worker.logLevel == .debug)
        let one = try await rest.call("GET", "/admin/loggers/org.apache.kafka.connect.runtime.Worker")
        #expect(one.object["level"] as? String == "DEBUG")
        #expect(one.object["last_modified"] is Int)
        let listed = try await rest.call("GET", "/admin/loggers")
        #expect(
            listed.object.keys.sorted() == [
                "org.apache.kafka.connect", "org.apache.kafka.connect.runtime.Worker", "root",
            ]
        )

        // A connector's name scopes the loggers carrying it in their metadata.
        var task = worker
        task[metadataKey: "connector"] = "my-connector"
        #expect(try await rest.call("PUT", "/admin/loggers/my-connector", #"{"level":"ERROR"}"#).status == 200)
        #expect(task.logLevel == .error)
        #expect(worker.logLevel == .debug)
        let cluster = try await rest.call("PUT", "/admin/loggers/root?scope=cluster", #"{"level":"WARN"}"#)
        #expect(cluster.status == 204)
        #expect(worker.logLevel == .warning)

        let missing = try await rest.call("PUT", "/admin/loggers/x", #"{"lvl":"DEBUG"}"#)
        #expect(missing.status == 400)
        #expect(missing.error?.message == "Desired 'level' parameter was not specified in request.")
        let invalid = try await rest.call("PUT", "/admin/loggers/x", #"{"level":"LOUD"}"#)
        #expect(invalid.status == 404)
        #expect(invalid.error?.message == "invalid log level 'LOUD'.")
        let unknown = try await rest.call("GET", "/admin/loggers/com.unknown")
        #expect(unknown.status == 404)
        #expect(unknown.error?.message == "Logger com.unknown not found.")
        await rest.stop()
    }

    @Test func protocolErrors() async throws {
        let rest = try await RESTFixture.start()
        let unknownPath = try await rest.call("GET", "/nope")
        #expect(unknownPath.status == 404)
        #expect(unknownPath.error?.message == "HTTP 404 Not Found")
        #expect(try await rest.call("GET", "/connectors/a/tasks/x/status").status == 404)
        let wrongMethod = try await rest.call("DELETE", "/connectors")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.error?.message == "HTTP 405 Method Not Allowed")
        #expect(try await rest.call("GET", "/connectors/a/pause").status == 405)
        let malformed = try await rest.call("POST", "/connectors", #"{"name":"a","config":{"#)
        #expect(malformed.status == 400)
        #expect(malformed.error?.code == 400)
        let form = try await rest.call(
            "POST",
            "/connectors",
            "name=a",
            contentType: "application/x-www-form-urlencoded"
        )
        #expect(form.status == 415)
        #expect(form.error?.message == "HTTP 415 Unsupported Media Type")
        await rest.stop()
    }
}
