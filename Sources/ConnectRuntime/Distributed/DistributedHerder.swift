import ConnectAPI
import KafkaNIO
import Logging
import NIOCore

/// Hands task configurations a follower's connector generated to the leader
/// (`POST <leader>/connectors/<name>/tasks`, signed with the session key).
public typealias TaskConfigsSender =
    @Sendable (
        _ leaderURL: String, _ connector: String, _ configs: [[String: String]], _ sessionKey: SessionKey?,
        _ signatureAlgorithm: String
    ) async throws -> Void

/// Runs this worker's share of a Connect cluster (Kafka's `DistributedHerder` with its
/// `WorkerCoordinator`): joins the `connect` group with the workers that share `group.id`, runs the
/// connectors and tasks the leader assigns it, keeps configurations in the config topic, statuses in
/// the status topic and source offsets in the offsets topic, and answers the REST API.
///
/// Reads are answered from this worker's copy of the topics. Writes that Kafka reserves for the leader
/// (connector configs, deletions, STOPPED, restarts with `includeTasks`, offsets, task configs) throw
/// ``RequestTargetError/notLeader(leaderURL:)`` on followers, which the REST layer forwards; restarts
/// of one instance go to the worker that runs it (``RequestTargetError/notAssigned(ownerURL:)``).
///
/// The herder is the group member's handler: the leader computes assignments with the
/// ``IncrementalCooperativeAssignor`` (or ``EagerAssignor`` for `connect.protocol=eager`), every
/// member stops what was revoked and starts what it was given. A member that loses its membership
/// stops everything at once, so a task never runs twice (no zombies). A worker shutting down stops its
/// work and writes UNASSIGNED statuses before it leaves the group; the leader takes that as a clean
/// departure and hands the work over at once instead of after `scheduled.rebalance.max.delay.ms`.
public actor DistributedHerder: Herder, GroupMembershipHandler {
    /// The worker running this member's connectors and tasks.
    public nonisolated let worker: Worker
    /// The configuration.
    public nonisolated let config: DistributedConfig
    /// This worker's advertised REST URL (`http://host:port/`), given to the other members.
    public nonisolated let url: String
    /// `host:port` of ``url``: the worker id in statuses.
    public nonisolated let workerID: String

    private let configStore: KafkaConfigBackingStore
    private let statusStore: KafkaStatusBackingStore
    private let cluster: KafkaCluster
    private let sendTaskConfigs: TaskConfigsSender
    private let logger: Logger
    private var membership: GroupMembership?

    // Group state.
    private var assignor: IncrementalCooperativeAssignor
    /// The members of the last round this worker led, for telling clean departures from crashes.
    private var lastMembers: [String: ConnectWorkerMetadata] = [:]
    private var assignment: ConnectAssignment?
    private var generation: Int32 = -1
    private var lastCompletedGeneration: Int32 = -1
    private var isLeader = false
    private var leaderURL: String?
    private let firstAssignment = CompletionSignal()

    // What runs here.
    private var connectorConfigsRunning: [String: [String: String]] = [:]
    private var taskConfigsRunning: [ConnectorTaskID: [String: String]] = [:]
    private var knownConnectors: Set<String> = []
    private var reconfigurations: [String: Task<Void, Never>] = [:]

    // Status publication.
    private var published: [StatusTopicKey: StatusRecordValue] = [:]
    private var publishedTopics: Set<StatusTopicKey> = []

    private var loops: [Task<Void, Never>] = []
    private var delayedRejoin: Task<Void, Never>?
    private var isStopping = false

    /// A herder for `worker` (whose offset store should be the cluster's ``KafkaOffsetBackingStore``).
    /// - Parameters:
    ///   - url: The advertised REST URL, `http://host:port/`.
    ///   - sendTaskConfigs: How a follower hands task configs to the leader (the REST client).
    /// - Throws: ``KafkaError`` for client settings the Kafka client refuses.
    public init(
        worker: Worker,
        config: DistributedConfig,
        url: String,
        sendTaskConfigs: @escaping TaskConfigsSender,
        logger: Logger = Logger(label: "org.apache.kafka.connect.runtime.distributed.DistributedHerder")
    ) throws {
        self.worker = worker
        self.config = config
        self.url = url
        self.workerID = Self.workerID(ofURL: url)
        self.sendTaskConfigs = sendTaskConfigs
        self.logger = logger
        self.configStore = try KafkaConfigBackingStore(config: config)
        self.statusStore = try KafkaStatusBackingStore(config: config)
        self.cluster = KafkaCluster(
            configuration: try KafkaClientConfiguration(
                properties: config.clientProperties(clientIDSuffix: "coordinator")
            )
        )
        self.assignor = IncrementalCooperativeAssignor(maxDelay: Int32(clamping: config.scheduledRebalanceMaxDelayMs))
    }

    /// The worker id in statuses for an advertised URL: the `host:port` of `http://host:port/`.
    public static func workerID(ofURL url: String) -> String {
        var rest = Substring(url)
        if let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") {
            rest = rest[rest.index(colon, offsetBy: 3)...]
        }
        return String(rest.split(separator: "/", maxSplits: 1).first ?? rest)
    }

    // MARK: Life cycle

    /// Reads the internal topics to the end, starts the worker, joins the group and returns once this
    /// worker has its first assignment (or `timeout` passed: it keeps trying in the background).
    /// - Throws: When a store cannot start (e.g. a config topic with two partitions).
    public func start(timeout: Duration = .seconds(60)) async throws {
        try await configStore.start()
        try await statusStore.start()
        try await worker.start()
        knownConnectors = Set(configStore.snapshot().connectors)
        let events = configStore.events
        let workerEvents = worker.events
        loops.append(Task { for await event in events { await self.handle(event) } })
        loops.append(Task { for await event in workerEvents { await self.handle(event) } })
        loops.append(Task { await self.publishStatusesPeriodically() })
        var groupConfig = GroupMembershipConfiguration(
            groupID: config.groupID,
            protocolType: "connect",
            protocols: joinProtocols()
        )
        groupConfig.sessionTimeoutMs = config.sessionTimeoutMs
        groupConfig.heartbeatIntervalMs = config.heartbeatIntervalMs
        groupConfig.rebalanceTimeoutMs = config.rebalanceTimeoutMs
        let membership = GroupMembership(
            cluster: cluster,
            configuration: groupConfig,
            handler: self,
            logger: Logger(label: "org.apache.kafka.connect.runtime.distributed.WorkerCoordinator")
        )
        self.membership = membership
        await membership.start()
        if await firstAssignment.wait(timeout: timeout) {
            logger.info("Joined group \(config.groupID) as \(workerID)")
        } else {
            logger.warning("No assignment from group \(config.groupID) within \(timeout); still trying")
        }
    }

    /// Whether this worker led the last rebalance it took part in.
    public var isGroupLeader: Bool { isLeader }

    /// Stops this worker's connectors and tasks (offsets flushed), writes their UNASSIGNED statuses,
    /// leaves the group (so the leader reassigns the work at once) and stops the stores.
    public func stop() async {
        isStopping = true
        delayedRejoin?.cancel()
        for task in reconfigurations.values { task.cancel() }
        await stopAllWork()
        await membership?.close()
        for loop in loops { loop.cancel() }
        await configStore.stop()
        await statusStore.stop()
        await worker.stop()
        for loop in loops { await loop.value }
        for task in reconfigurations.values { await task.value }
        loops = []
        await cluster.shutdown()
        logger.info("Herder stopped")
    }

    // MARK: The group (Kafka's WorkerCoordinator)

    private func joinProtocols() -> [GroupProtocol] {
        let metadata = ConnectWorkerMetadata(
            url: url,
            configOffset: configStore.snapshot().offset,
            assignment: assignment
        )
        return ConnectProtocolCodec.joinProtocols(metadata, configured: config.connectProtocol).map {
            GroupProtocol(name: $0.name, metadata: $0.metadata)
        }
    }

    public func rebalanceStarted(_ rebalance: GroupRebalanceStart) async -> [GroupProtocol]? {
        // The eager protocol gives up everything before every rebalance.
        if config.connectProtocol == .eager || assignment?.version == 0 {
            await stopAllWork()
            assignment = nil
        }
        return joinProtocols()
    }

    public func assign(protocolName: String, members: [GroupMember]) async throws -> [String: ByteBuffer] {
        var decoded: [String: ConnectWorkerMetadata] = [:]
        for member in members { decoded[member.memberID] = try ConnectProtocolCodec.decodeMetadata(member.metadata) }
        if configStore.snapshot().offset < IncrementalCooperativeAssignor.maxConfigOffset(decoded) {
            try? await configStore.refresh()
        }
        let chosen = ConnectProtocolCompatibility(protocolName: protocolName) ?? .eager
        let leaderID = await membership?.memberID ?? ""
        let currentGeneration = await membership?.generation ?? -1
        let departedCleanly = await cleanDepartures(members: decoded)
        let result = assignor.assign(
            leaderID: leaderID,
            protocol: chosen,
            members: decoded,
            snapshot: configStore.snapshot(),
            lastCompletedGeneration: lastCompletedGeneration,
            currentGeneration: currentGeneration,
            now: currentTimeMillis(),
            departedCleanly: departedCleanly
        )
        lastMembers = decoded
        return result.mapValues { ConnectProtocolCodec.encodeAssignment($0) }
    }

    /// Members of the last round that are gone and left no work behind: every status naming their
    /// worker says UNASSIGNED (written as they shut down). A crashed worker's statuses still say
    /// RUNNING (or it never wrote any, and nothing is lost by moving its work at once).
    private func cleanDepartures(members: [String: ConnectWorkerMetadata]) async -> Set<String> {
        let departed = lastMembers.filter { members[$0.key] == nil }
        guard !departed.isEmpty else { return [] }
        do {
            try await statusStore.readToEnd(timeout: .seconds(5))
        } catch {
            logger.warning("Could not read the status topic to the end: \(error)")
        }
        let cache = statusStore.cache
        var clean: Set<String> = []
        for (member, metadata) in departed {
            let departedWorker = Self.workerID(ofURL: metadata.url)
            if !cache.hasActiveStatus(of: departedWorker) { clean.insert(member) }
        }
        if !clean.isEmpty { logger.info("Members that left cleanly, their work moves at once: \(clean.sorted())") }
        return clean
    }

    public func assigned(_ groupAssignment: GroupAssignment) async {
        let decoded: ConnectAssignment
        do {
            decoded = try ConnectProtocolCodec.decodeAssignment(groupAssignment.assignment)
        } catch {
            logger.error("Unreadable assignment, rejoining: \(error)")
            await membership?.requestRejoin(reason: "unreadable assignment")
            return
        }
        generation = groupAssignment.generation
        isLeader = groupAssignment.isLeader
        leaderURL = decoded.leaderURL.isEmpty ? nil : decoded.leaderURL
        if decoded.failed {
            // CONFIG_MISMATCH: the leader had read less of the config topic than a member.
            logger.info("The leader's configuration was stale; reading the config topic and rejoining")
            try? await configStore.refresh()
            await membership?.requestRejoin(reason: "config offset mismatch")
            return
        }
        if configStore.snapshot().offset < decoded.configOffset { try? await configStore.refresh() }
        let merged: ConnectAssignment
        if decoded.version == 0 {
            let keep = (Set(decoded.connectors), Set(decoded.tasks))
            await stopWork(
                connectors: Set(connectorConfigsRunning.keys).subtracting(keep.0),
                tasks: Set(taskConfigsRunning.keys).subtracting(keep.1)
            )
            merged = decoded
        } else {
            await stopWork(connectors: Set(decoded.revokedConnectors), tasks: Set(decoded.revokedTasks))
            merged = decoded.merging(previous: assignment)
        }
        assignment = merged
        lastCompletedGeneration = groupAssignment.generation
        logger.info(
            "Assignment of generation \(generation): connectors \(merged.connectors.sorted()), tasks \(merged.tasks.sorted().map(\.description)); leader \(decoded.leaderURL)"
        )
        if isLeader { await ensureSessionKey() }
        for name in merged.connectors.sorted() where connectorConfigsRunning[name] == nil { await startConnector(name) }
        for id in merged.tasks.sorted() where taskConfigsRunning[id] == nil { await startTask(id) }
        firstAssignment.signal()
        if decoded.version > 0 && (!decoded.revokedConnectors.isEmpty || !decoded.revokedTasks.isEmpty) {
            // Kafka's members rejoin after giving work up, so that the leader can hand it out.
            await membership?.requestRejoin(reason: "work was revoked")
        }
        delayedRejoin?.cancel()
        delayedRejoin = nil
        if decoded.delay > 0 {
            let delay = Duration.milliseconds(Int64(decoded.delay))
            delayedRejoin = Task { [weak self] in
                try? await Task.sleep(for: delay)
                guard !Task.isCancelled else { return }
                await self?.rejoin(reason: "the scheduled rebalance delay ended")
            }
        }
    }

    public func membershipLost(_ error: KafkaError) async {
        logger.warning("Lost the group membership (\(error)); stopping every connector and task")
        await leaveWork()
    }

    public func failed(_ error: KafkaError) async {
        logger.error("Cannot stay in group \(config.groupID): \(error); stopping every connector and task")
        await leaveWork()
    }

    /// Out of the group: another member may already run this work, so it stops now (no zombies).
    private func leaveWork() async {
        await stopAllWork()
        assignment = nil
        isLeader = false
    }

    private func rejoin(reason: String) async {
        guard !isStopping else { return }
        await membership?.requestRejoin(reason: reason)
    }

    // MARK: Running work

    private func startConnector(_ name: String) async {
        let snapshot = configStore.snapshot()
        guard let config = snapshot.connectorConfigs[name] else { return }
        connectorConfigsRunning[name] = config
        let targetState = snapshot.targetState(name) ?? .started
        let status = await worker.startConnector(name: name, config: config, targetState: targetState)
        let value = statusValue(status)
        await publish(.connector(name, value), value)
        if status.state != .failed && targetState == .started { scheduleTaskReconfiguration(name) }
    }

    private func startTask(_ id: ConnectorTaskID) async {
        let snapshot = configStore.snapshot()
        guard let connectorConfig = snapshot.connectorConfigs[id.connector], let taskConfig = snapshot.taskConfig(id)
        else { return }
        taskConfigsRunning[id] = taskConfig
        await worker.startTask(
            id: id,
            connectorConfig: connectorConfig,
            taskConfig: taskConfig,
            targetState: snapshot.targetState(id.connector) ?? .started
        )
    }

    private func stopAllWork() async {
        await stopWork(connectors: Set(connectorConfigsRunning.keys), tasks: Set(taskConfigsRunning.keys))
    }

    /// Stops work and writes its UNASSIGNED statuses (unless a newer generation wrote them already).
    private func stopWork(connectors: Set<String>, tasks: Set<ConnectorTaskID>) async {
        guard !connectors.isEmpty || !tasks.isEmpty else { return }
        await worker.stopTasks(tasks.sorted())
        for id in tasks { taskConfigsRunning[id] = nil }
        for name in connectors.sorted() {
            reconfigurations.removeValue(forKey: name)?.cancel()
            await worker.stopConnector(name)
            connectorConfigsRunning[name] = nil
        }
        let unassigned = StatusRecordValue(state: .unassigned, workerID: workerID, generation: generation)
        for id in tasks.sorted() { await write(.task(id, unassigned), safe: true) }
        for name in connectors.sorted() { await write(.connector(name, unassigned), safe: true) }
    }

    private func restartConnectorHere(_ name: String) async {
        reconfigurations.removeValue(forKey: name)?.cancel()
        await worker.stopConnector(name)
        connectorConfigsRunning[name] = nil
        await startConnector(name)
    }

    private func restartTaskHere(_ id: ConnectorTaskID) async {
        await worker.stopTasks([id])
        taskConfigsRunning[id] = nil
        await startTask(id)
    }

    /// Asks a connector this worker runs for task configurations and, when they differ from the
    /// committed ones, has the leader write them; retried with backoff (Kafka's
    /// `reconfigureConnectorTasksWithRetry`).
    private func scheduleTaskReconfiguration(_ name: String) {
        reconfigurations[name]?.cancel()
        reconfigurations[name] = Task { [weak self] in
            var backoff = Duration.milliseconds(250)
            while !Task.isCancelled {
                guard let self else { return }
                do {
                    try await self.reconfigureTasks(name)
                    return
                } catch {
                    self.logger.warning("Task reconfiguration of \(name) failed, retrying in \(backoff): \(error)")
                }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(10))
            }
        }
    }

    private func reconfigureTasks(_ name: String) async throws {
        let snapshot = configStore.snapshot()
        guard connectorConfigsRunning[name] != nil, let raw = snapshot.connectorConfigs[name],
            snapshot.targetState(name) ?? .started == .started
        else { return }
        let resolved = try await worker.resolve(raw)
        let generated = try await worker.connectorTaskConfigs(
            name: name,
            connectorConfig: try ConnectorConfig(resolved)
        )
        let configs = Self.reverseTransformed(generated, raw: raw, resolved: resolved)
        let committed = snapshot.tasks(of: name).map { snapshot.taskConfig($0) ?? [:] }
        if configs == committed && !snapshot.inconsistentConnectors.contains(name)
            && snapshot.taskCounts[name] != nil
        {
            return
        }
        if isLeader {
            try await putTaskConfigsFencing(name, configs)
        } else {
            guard let leaderURL else { throw RequestTargetError.notLeader(leaderURL: nil) }
            try await sendTaskConfigs(leaderURL, name, configs, snapshot.sessionKey, config.signatureAlgorithm)
        }
        logger.info("Wrote \(configs.count) task configuration(s) of \(name)")
    }

    /// Puts config-provider placeholders back where a task config repeats a resolved value, so that
    /// secrets never reach the config topic (Kafka's `reverseTransform`).
    static func reverseTransformed(
        _ taskConfigs: [[String: String]],
        raw: [String: String],
        resolved: [String: String]
    ) -> [[String: String]] {
        let placeholders = raw.filter { $0.value.contains("${") && resolved[$0.key] != $0.value }
        guard !placeholders.isEmpty else { return taskConfigs }
        return taskConfigs.map { config in
            var config = config
            for (key, rawValue) in placeholders where config[key] != nil && config[key] == resolved[key] {
                config[key] = rawValue
            }
            return config
        }
    }

    // MARK: Reacting to the config topic and the worker

    private func handle(_ event: ConfigLogEvent) async {
        guard !isStopping else { return }
        let snapshot = configStore.snapshot()
        switch event {
        case .connectorConfigUpdated(let name):
            if !knownConnectors.contains(name) {
                knownConnectors.insert(name)
                await rejoin(reason: "connector \(name) was created")
            } else if let running = connectorConfigsRunning[name], running != snapshot.connectorConfigs[name] {
                logger.info("Connector \(name) was reconfigured; restarting it")
                await restartConnectorHere(name)
            }
        case .connectorConfigRemoved(let name):
            knownConnectors.remove(name)
            let tasks = Set(taskConfigsRunning.keys.filter { $0.connector == name })
            await stopWork(connectors: connectorConfigsRunning[name] == nil ? [] : [name], tasks: tasks)
            await write(.connector(name, nil), safe: false)
            await rejoin(reason: "connector \(name) was deleted")
        case .targetStateChanged(let name):
            let target = snapshot.targetState(name) ?? .started
            let runsTasks = taskConfigsRunning.keys.contains { $0.connector == name }
            if connectorConfigsRunning[name] != nil || runsTasks {
                await worker.setTargetState(name, target)
            }
            if connectorConfigsRunning[name] != nil {
                await publishStatuses()
                if target == .started { scheduleTaskReconfiguration(name) }
            }
        case .taskConfigsUpdated(let connector, _, _):
            for (id, running) in taskConfigsRunning where id.connector == connector {
                if let current = snapshot.taskConfig(id), current != running,
                    snapshot.tasks(of: connector).contains(id)
                {
                    await restartTaskHere(id)
                }
            }
            await rejoin(reason: "the tasks of \(connector) changed")
        case .restartRequested:
            await processRestarts()
        case .sessionKeyUpdated, .loggerLevelChanged, .none, .skipped:
            break
        }
    }

    private func handle(_ event: WorkerEvent) async {
        switch event {
        case .taskReconfigurationRequested(let name):
            if connectorConfigsRunning[name] != nil { scheduleTaskReconfiguration(name) }
        case .connectorFailed(let name, let trace):
            await worker.connectorFailed(name, trace: trace)
        }
    }

    /// Restart requests from the config topic (KIP-745), for the instances this worker runs.
    private func processRestarts() async {
        for request in configStore.takePendingRestarts() {
            let name = request.connector
            if connectorConfigsRunning[name] != nil {
                let failed = await worker.connectorStatus(name)?.state == .failed
                if !request.onlyFailed || failed { await restartConnectorHere(name) }
            }
            guard request.includeTasks else { continue }
            for id in taskConfigsRunning.keys.sorted() where id.connector == name {
                let failed = await worker.taskStatus(id)?.state == .failed
                if !request.onlyFailed || failed { await restartTaskHere(id) }
            }
        }
    }

    // MARK: Statuses

    private func publishStatusesPeriodically() async {
        while !Task.isCancelled && !isStopping {
            await publishStatuses()
            if isLeader { await ensureSessionKey() }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Writes the statuses of this worker's connectors and tasks that changed since the last write,
    /// and the topics they started using (Kafka writes each transition as it happens; we look five
    /// times a second).
    private func publishStatuses() async {
        for name in connectorConfigsRunning.keys.sorted() {
            if let status = await worker.connectorStatus(name) {
                let value = statusValue(status)
                await publish(.connector(name, value), value)
            }
        }
        for id in taskConfigsRunning.keys.sorted() {
            if let status = await worker.taskStatus(id) {
                let value = statusValue(status)
                await publish(.task(id, value), value)
            }
        }
        guard worker.config.topicTrackingEnabled else { return }
        let connectors = Set(connectorConfigsRunning.keys).union(taskConfigsRunning.keys.map(\.connector))
        for connector in connectors.sorted() {
            for topic in worker.activeTopics.topics(of: connector) {
                let key = StatusTopicKey.topic(topic: topic, connector: connector)
                guard !publishedTopics.contains(key),
                    statusStore.topics(of: connector).allSatisfy({ $0.topic != topic })
                else { continue }
                publishedTopics.insert(key)
                let value = TopicStatusValue(
                    topic: topic,
                    connector: connector,
                    task: Int32(taskConfigsRunning.keys.first { $0.connector == connector }?.task ?? 0),
                    discoverTimestamp: currentTimeMillis()
                )
                await write(.topic(topic: topic, connector: connector, value), safe: false)
            }
        }
    }

    /// `status` as this worker writes it, with its generation.
    private func statusValue(_ status: StatusInfo) -> StatusRecordValue {
        StatusRecordValue(state: status.state, trace: status.trace, workerID: workerID, generation: generation)
    }

    /// Writes a connector or task status unless it is what was last written.
    private func publish(_ record: StatusRecord, _ value: StatusRecordValue) async {
        guard published[record.key] != value else { return }
        await write(record, safe: value.state == .unassigned || value.state == .failed)
    }

    private func write(_ record: StatusRecord, safe: Bool) async {
        do {
            if safe { try await statusStore.putSafe(record) } else { try await statusStore.put(record) }
            switch record {
            case .connector(_, let value?), .task(_, let value?): published[record.key] = value
            case .connector, .task: published[record.key] = nil
            case .topic: break
            }
        } catch {
            logger.warning("Could not write status \(record.key): \(error)")
        }
    }

    // MARK: Session keys

    /// The leader writes a session key when there is none or it expired (`inter.worker.key.ttl.ms`).
    private func ensureSessionKey() async {
        guard config.connectProtocol == .sessioned else { return }
        let now = currentTimeMillis()
        if let key = configStore.snapshot().sessionKey, now - key.creationTimestamp < config.keyTTLMs { return }
        let size = config.keyGenerationAlgorithm == "HmacSHA256" ? 32 : 64
        var generator = SystemRandomNumberGenerator()
        let key = SessionKey(
            key: (0..<size).map { _ in UInt8.random(in: .min ... .max, using: &generator) },
            algorithm: config.keyGenerationAlgorithm,
            creationTimestamp: now
        )
        do {
            try await configStore.putSessionKey(key)
            logger.info("Wrote a new session key")
        } catch {
            logger.warning("Could not write a session key: \(error)")
        }
    }

    // MARK: REST: connectors

    private func requireLeader() throws {
        guard isLeader else { throw RequestTargetError.notLeader(leaderURL: leaderURL) }
    }

    private func requireConnector(_ name: String) throws -> [String: String] {
        guard let config = configStore.snapshot().connectorConfigs[name] else {
            throw ConnectError.connectorNotFound(name)
        }
        return config
    }

    /// Creates or replaces a connector's configuration (leader only, as in Kafka).
    @discardableResult
    public func putConnectorConfig(
        name: String,
        config submitted: [String: String],
        allowReplace: Bool,
        initialState: TargetState? = nil
    ) async throws -> ConnectorInfo {
        try requireLeader()
        var config = submitted
        config[ConnectorConfig.nameConfig] = name
        let exists = configStore.snapshot().contains(name)
        if exists && !allowReplace { throw ConnectError("Connector \(name) already exists", code: .alreadyExists) }
        try await worker.requireValidConnectorConfig(config)
        try await configStore.putConnectorConfig(
            name,
            config: config,
            targetState: exists ? nil : (initialState ?? .started)
        )
        return try connectorInfo(name)
    }

    /// Deletes a connector (leader only).
    public func deleteConnector(_ name: String) async throws {
        try requireLeader()
        _ = try requireConnector(name)
        try await configStore.removeConnectorConfig(name)
    }

    /// Pauses a connector: any worker writes the target state, as in Kafka.
    public func pauseConnector(_ name: String) async throws {
        _ = try requireConnector(name)
        try await configStore.putTargetState(name, .paused)
    }

    /// Resumes a paused or stopped connector: any worker writes the target state, as in Kafka.
    public func resumeConnector(_ name: String) async throws {
        _ = try requireConnector(name)
        try await configStore.putTargetState(name, .started)
    }

    /// Stops a connector (leader only): target state STOPPED and an empty set of task configs.
    public func stopConnector(_ name: String) async throws {
        try requireLeader()
        _ = try requireConnector(name)
        try await configStore.putTargetState(name, .stopped)
        try await configStore.putTaskConfigs(name, [])
    }

    /// Restarts the connector instance where it runs (forwarded there by the leader).
    public func restartConnector(_ name: String) async throws {
        guard configStore.snapshot().contains(name) else {
            throw ConnectError("Unknown connector: \(name)", code: .notFound)
        }
        if connectorConfigsRunning[name] != nil {
            await restartConnectorHere(name)
        } else if isLeader {
            throw RequestTargetError.notAssigned(ownerURL: ownerURL(statusStore.connector(name)))
        } else {
            throw RequestTargetError.notLeader(leaderURL: leaderURL)
        }
    }

    /// Restarts a connector and/or its tasks (KIP-745): the leader writes a restart request to the
    /// config topic, which every worker applies to what it runs.
    public func restartConnectorAndTasks(
        _ name: String,
        includeTasks: Bool,
        onlyFailed: Bool
    ) async throws -> ConnectorStateInfo {
        try requireLeader()
        _ = try requireConnector(name)
        var plan = try await connectorStatus(name)
        if !onlyFailed || plan.connector.state == .failed { plan.connector.state = .restarting }
        for index in plan.tasks.indices where includeTasks && (!onlyFailed || plan.tasks[index].status.state == .failed)
        {
            plan.tasks[index].status.state = .restarting
        }
        try await configStore.putRestartRequest(
            RestartRequest(connector: name, onlyFailed: onlyFailed, includeTasks: includeTasks)
        )
        return plan
    }

    /// Restarts one task where it runs (forwarded there by the leader).
    public func restartTask(_ id: ConnectorTaskID) async throws {
        let snapshot = configStore.snapshot()
        guard snapshot.contains(id.connector) else {
            throw ConnectError("Unknown connector: \(id.connector)", code: .notFound)
        }
        guard snapshot.tasks(of: id.connector).contains(id) else {
            throw ConnectError("Unknown task: \(id)", code: .notFound)
        }
        if taskConfigsRunning[id] != nil {
            await restartTaskHere(id)
        } else if isLeader {
            throw RequestTargetError.notAssigned(ownerURL: ownerURL(statusStore.task(id)))
        } else {
            throw RequestTargetError.notLeader(leaderURL: leaderURL)
        }
    }

    private func ownerURL(_ status: StatusRecordValue?) -> String? {
        guard let owner = status?.workerID, !owner.isEmpty, owner != workerID else { return nil }
        return "http://\(owner)/"
    }

    /// Merges `patch` into a connector's configuration (leader only).
    @discardableResult
    public func patchConnectorConfig(_ name: String, patch: [String: String?]) async throws -> ConnectorInfo {
        try requireLeader()
        var config = try requireConnector(name)
        for (key, value) in patch { config[key] = value }
        return try await putConnectorConfig(name: name, config: config, allowReplace: true)
    }

    /// `POST /connectors/<name>/tasks` on the leader: task configs a follower's connector generated,
    /// signed with the session key under the `sessioned` protocol (Kafka's checks and messages).
    public func putTaskConfigs(
        _ name: String,
        configs: [[String: String]],
        signature: InternalRequestSignature?
    ) async throws {
        if config.connectProtocol == .sessioned {
            guard let signature else {
                throw HerderRequestError(.badRequest, "Internal request missing required signature")
            }
            guard let key = configStore.snapshot().sessionKey, signature.isValid(key: key.key) else {
                throw HerderRequestError(.forbidden, "Internal request contained invalid signature.")
            }
        }
        try await acceptTaskConfigs(name, configs: configs)
    }

    /// Writes task configs a follower generated (the signature already checked).
    public func acceptTaskConfigs(_ name: String, configs: [[String: String]]) async throws {
        try requireLeader()
        _ = try requireConnector(name)
        try await putTaskConfigsFencing(name, configs)
    }

    // MARK: REST: offsets and topics

    /// The leader's task-config write; under exactly-once source support it fences the previous
    /// generation first (ZombieFencing.swift).
    private func putTaskConfigsFencing(_ name: String, _ configs: [[String: String]]) async throws {
        try await ZombieFencing.putTaskConfigs(
            name,
            configs,
            store: configStore,
            config: config,
            plugins: worker.plugins,
            logger: logger
        )
    }

    /// A connector's committed offsets, read on this worker.
    public func connectorOffsets(
        _ name: String
    ) async throws -> [(partition: [String: ConnectValue], offset: [String: ConnectValue])] {
        try await ConnectorOffsetsAdmin(worker: worker).offsets(name, config: try requireConnector(name))
    }

    /// Alters a stopped connector's offsets (leader only, as in Kafka).
    public func alterConnectorOffsets(
        _ name: String,
        offsets: [(partition: [String: ConnectValue], offset: [String: ConnectValue]?)]
    ) async throws -> Bool {
        try requireLeader()
        let config = try requireConnector(name)
        try requireStopped(name)
        return try await ConnectorOffsetsAdmin(worker: worker).alter(name, config: config, offsets: offsets)
    }

    /// Removes a stopped connector's offsets (leader only).
    public func resetConnectorOffsets(_ name: String) async throws -> Bool {
        try requireLeader()
        let config = try requireConnector(name)
        try requireStopped(name)
        return try await ConnectorOffsetsAdmin(worker: worker).reset(name, config: config)
    }

    private func requireStopped(_ name: String) throws {
        let snapshot = configStore.snapshot()
        try ConnectorOffsetsAdmin.requireStopped(
            name,
            snapshot.targetState(name) == .stopped && snapshot.tasks(of: name).isEmpty
        )
    }

    /// The topics a connector's tasks used, from the status topic (every worker's tasks).
    public func connectorActiveTopics(_ name: String) throws -> [String] {
        guard worker.config.topicTrackingEnabled else {
            throw HerderRequestError(.forbidden, "Topic tracking is disabled.")
        }
        let topics = Set(statusStore.topics(of: name).map(\.topic)).union(worker.activeTopics.topics(of: name))
        return topics.sorted()
    }

    /// Forgets the topics a connector used: tombstones in the status topic.
    public func resetConnectorActiveTopics(_ name: String) async throws {
        guard worker.config.topicTrackingEnabled else {
            throw HerderRequestError(.forbidden, "Topic tracking is disabled.")
        }
        guard worker.config.topicTrackingResetAllowed else {
            throw HerderRequestError(.forbidden, "Topic tracking reset is disabled.")
        }
        for topic in statusStore.topics(of: name) {
            try await statusStore.put(.topic(topic: topic.topic, connector: name, nil))
        }
        worker.activeTopics.reset(name)
        publishedTopics = publishedTopics.filter {
            if case .topic(_, let connector) = $0 { return connector != name }
            return true
        }
    }

    // MARK: REST: reads

    /// The configured connectors, sorted.
    public func connectorNames() -> [String] { configStore.snapshot().connectors }

    /// A connector's configuration and tasks.
    public func connectorInfo(_ name: String) throws -> ConnectorInfo {
        let snapshot = configStore.snapshot()
        guard let config = snapshot.connectorConfigs[name] else { throw ConnectError.connectorNotFound(name) }
        return ConnectorInfo(
            name: name,
            config: config,
            tasks: snapshot.tasks(of: name),
            type: worker.plugins.connectorPlugin(named: config[ConnectorConfig.connectorClassConfig] ?? "")?.type
        )
    }

    /// A connector's configuration.
    public func connectorConfig(_ name: String) throws -> [String: String] { try requireConnector(name) }

    /// A connector's committed task configurations.
    public func taskConfigs(_ name: String) throws -> [(id: ConnectorTaskID, config: [String: String])] {
        let snapshot = configStore.snapshot()
        guard snapshot.contains(name) else { throw ConnectError.connectorNotFound(name) }
        return snapshot.tasks(of: name).map { ($0, snapshot.taskConfig($0) ?? [:]) }
    }

    /// A connector's and its tasks' statuses from the status topic, the same on every worker. Tasks
    /// without a status yet are left out, as in Kafka; tasks no longer configured are left out too
    /// (Kafka lists their stale statuses).
    /// - Throws: ``ConnectError`` `notFound`, also while no status was written yet (Kafka's
    ///   "No status found for connector").
    public func connectorStatus(_ name: String) async throws -> ConnectorStateInfo {
        let snapshot = configStore.snapshot()
        guard let config = snapshot.connectorConfigs[name] else { throw ConnectError.connectorNotFound(name) }
        guard let connector = statusStore.connector(name) else {
            throw ConnectError("No status found for connector \(name)", code: .notFound)
        }
        var tasks: [(id: Int, status: StatusInfo)] = []
        for id in snapshot.tasks(of: name) {
            guard let status = statusStore.task(id) else { continue }
            tasks.append((id.task, StatusInfo(state: status.state, trace: status.trace, workerID: status.workerID)))
        }
        return ConnectorStateInfo(
            name: name,
            connector: StatusInfo(state: connector.state, trace: connector.trace, workerID: connector.workerID),
            tasks: tasks,
            type: worker.plugins.connectorPlugin(named: config[ConnectorConfig.connectorClassConfig] ?? "")?.type
        )
    }
}
