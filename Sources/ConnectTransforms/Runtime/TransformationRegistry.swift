import ConnectAPI

/// The transforms and predicates a runtime can instantiate by class name or alias (the
/// transformation and predicate part of Kafka's plugin scanning, as a value: no global state).
///
/// ``kafkaBuiltIns`` holds every SMT and predicate Kafka ships, under Kafka's class names
/// (`org.apache.kafka.connect.transforms.Cast$Value`, …). Aliases follow Kafka's rule (spec §3.11):
/// a plugin's simple class name and its simple name without the `Transformation`/`Predicate` suffix
/// are aliases unless two plugins share them, so `RegexRouter`, `Filter`, `TopicNameMatches` work while
/// `Value` (the simple name of every `…$Value`) does not. Register your own with
/// ``register(_:className:)`` or ``register(predicate:className:)``.
///
/// ```swift
/// let registry = TransformationRegistry.kafkaBuiltIns
/// let chain = try registry.makeChain(connectorConfig: [
///     "transforms": "route",
///     "transforms.route.type": "RegexRouter",
///     "transforms.route.regex": "(.*)-raw",
///     "transforms.route.replacement": "$1",
/// ])
/// let routed = try chain.apply(record)
/// ```
public struct TransformationRegistry: Sendable {
    /// Creates a transform from its configuration (the keys under `transforms.<alias>.`, prefix removed).
    public typealias TransformationFactory = @Sendable ([String: String]) throws -> any Transformation
    /// Creates a predicate from its configuration (the keys under `predicates.<alias>.`, prefix removed).
    public typealias PredicateFactory = @Sendable ([String: String]) throws -> any RecordPredicate

    /// A registered transform.
    public struct TransformationPlugin: Sendable {
        /// The class name.
        public let className: String
        /// The transform's configuration keys.
        public let configDef: ConfigDef
        /// Creates an instance.
        public let make: TransformationFactory
    }

    /// A registered predicate.
    public struct PredicatePlugin: Sendable {
        /// The class name.
        public let className: String
        /// The predicate's configuration keys.
        public let configDef: ConfigDef
        /// Creates an instance.
        public let make: PredicateFactory
    }

    private var transformationPlugins: [String: TransformationPlugin] = [:]
    private var predicatePlugins: [String: PredicatePlugin] = [:]
    /// Class names in registration order.
    public private(set) var transformationClassNames: [String] = []
    /// Class names in registration order.
    public private(set) var predicateClassNames: [String] = []

    /// An empty registry.
    public init() {}

    /// A registry with every transform and predicate Kafka ships (`connect-transforms`).
    public static var kafkaBuiltIns: TransformationRegistry {
        var registry = TransformationRegistry()
        let prefix = "org.apache.kafka.connect.transforms."
        registry.register(Cast<RecordKey>.self, className: prefix + "Cast$Key")
        registry.register(Cast<RecordValue>.self, className: prefix + "Cast$Value")
        registry.register(DropHeaders.self, className: prefix + "DropHeaders")
        registry.register(ExtractField<RecordKey>.self, className: prefix + "ExtractField$Key")
        registry.register(ExtractField<RecordValue>.self, className: prefix + "ExtractField$Value")
        registry.register(Filter.self, className: prefix + "Filter")
        registry.register(Flatten<RecordKey>.self, className: prefix + "Flatten$Key")
        registry.register(Flatten<RecordValue>.self, className: prefix + "Flatten$Value")
        registry.register(HeaderFrom<RecordKey>.self, className: prefix + "HeaderFrom$Key")
        registry.register(HeaderFrom<RecordValue>.self, className: prefix + "HeaderFrom$Value")
        registry.register(HoistField<RecordKey>.self, className: prefix + "HoistField$Key")
        registry.register(HoistField<RecordValue>.self, className: prefix + "HoistField$Value")
        registry.register(InsertField<RecordKey>.self, className: prefix + "InsertField$Key")
        registry.register(InsertField<RecordValue>.self, className: prefix + "InsertField$Value")
        registry.register(InsertHeader.self, className: prefix + "InsertHeader")
        registry.register(MaskField<RecordKey>.self, className: prefix + "MaskField$Key")
        registry.register(MaskField<RecordValue>.self, className: prefix + "MaskField$Value")
        registry.register(RegexRouter.self, className: prefix + "RegexRouter")
        registry.register(ReplaceField<RecordKey>.self, className: prefix + "ReplaceField$Key")
        registry.register(ReplaceField<RecordValue>.self, className: prefix + "ReplaceField$Value")
        registry.register(SetSchemaMetadata<RecordKey>.self, className: prefix + "SetSchemaMetadata$Key")
        registry.register(SetSchemaMetadata<RecordValue>.self, className: prefix + "SetSchemaMetadata$Value")
        registry.register(TimestampConverter<RecordKey>.self, className: prefix + "TimestampConverter$Key")
        registry.register(TimestampConverter<RecordValue>.self, className: prefix + "TimestampConverter$Value")
        registry.register(TimestampRouter.self, className: prefix + "TimestampRouter")
        registry.register(ValueToKey.self, className: prefix + "ValueToKey")
        registry.register(predicate: TopicNameMatches.self, className: prefix + "predicates.TopicNameMatches")
        registry.register(predicate: HasHeaderKey.self, className: prefix + "predicates.HasHeaderKey")
        registry.register(predicate: RecordIsTombstone.self, className: prefix + "predicates.RecordIsTombstone")
        return registry
    }

    // MARK: Registering

    /// Registers a transform type under a class name (replacing any registration of that name).
    public mutating func register<T: Transformation>(_ type: T.Type, className: String) {
        register(transformation: className, configDef: T.configDef) { try T(configs: $0) }
    }

    /// Registers a transform with a custom factory.
    public mutating func register(
        transformation className: String,
        configDef: ConfigDef,
        factory: @escaping TransformationFactory
    ) {
        if transformationPlugins[className] == nil { transformationClassNames.append(className) }
        transformationPlugins[className] = TransformationPlugin(
            className: className,
            configDef: configDef,
            make: factory
        )
    }

    /// Registers a predicate type under a class name (replacing any registration of that name).
    public mutating func register<P: RecordPredicate>(predicate type: P.Type, className: String) {
        register(predicate: className, configDef: P.configDef) { try P(configs: $0) }
    }

    /// Registers a predicate with a custom factory.
    public mutating func register(
        predicate className: String,
        configDef: ConfigDef,
        factory: @escaping PredicateFactory
    ) {
        if predicatePlugins[className] == nil { predicateClassNames.append(className) }
        predicatePlugins[className] = PredicatePlugin(className: className, configDef: configDef, make: factory)
    }

    // MARK: Looking up

    /// Aliases (Kafka's rule: simple name, and simple name without the type suffix, when unique across
    /// all registered plugins) mapped to class names.
    public var aliases: [String: String] {
        var candidates: [String: Set<String>] = [:]
        for className in transformationClassNames {
            for alias in Self.aliasCandidates(className, suffix: "Transformation") {
                candidates[alias, default: []].insert(className)
            }
        }
        for className in predicateClassNames {
            for alias in Self.aliasCandidates(className, suffix: "Predicate") {
                candidates[alias, default: []].insert(className)
            }
        }
        var result: [String: String] = [:]
        for (alias, classes) in candidates where classes.count == 1 { result[alias] = classes.first! }
        return result
    }

    private static func aliasCandidates(_ className: String, suffix: String) -> Set<String> {
        let afterDot = className.split(separator: ".").last.map(String.init) ?? className
        let simple = afterDot.split(separator: "$").last.map(String.init) ?? afterDot
        var result: Set<String> = [simple]
        if simple.hasSuffix(suffix) && simple.count > suffix.count {
            result.insert(String(simple.dropLast(suffix.count)))
        }
        return result
    }

    /// The transform registered under a class name or alias.
    public func transformation(named name: String) -> TransformationPlugin? {
        if let plugin = transformationPlugins[name] { return plugin }
        guard let className = aliases[name] else { return nil }
        return transformationPlugins[className]
    }

    /// The predicate registered under a class name or alias.
    public func predicate(named name: String) -> PredicatePlugin? {
        if let plugin = predicatePlugins[name] { return plugin }
        guard let className = aliases[name] else { return nil }
        return predicatePlugins[className]
    }

    // MARK: Creating

    /// Creates a transform by class name or alias.
    /// - Parameters:
    ///   - name: The class name or alias.
    ///   - configs: The transform's own keys (prefix removed).
    ///   - alias: The alias in the connector configuration; configuration errors then name the full key
    ///     (`Invalid value int9 for configuration transforms.<alias>.spec: …`).
    /// - Throws: ``ConfigError`` for an unknown name or an invalid configuration.
    public func makeTransformation(
        _ name: String,
        configs: [String: String],
        alias: String? = nil
    ) throws(ConfigError) -> any Transformation {
        let prefix = alias.map { "transforms.\($0)." } ?? ""
        guard let plugin = transformation(named: name) else {
            throw ConfigError(name: prefix + "type", value: name, reason: "Class \(name) could not be found.")
        }
        do {
            return try plugin.make(configs)
        } catch {
            throw Self.configError(error, prefix: prefix)
        }
    }

    /// Creates a predicate by class name or alias; see ``makeTransformation(_:configs:alias:)``.
    public func makePredicate(
        _ name: String,
        configs: [String: String],
        alias: String? = nil
    ) throws(ConfigError) -> any RecordPredicate {
        let prefix = alias.map { "predicates.\($0)." } ?? ""
        guard let plugin = predicate(named: name) else {
            throw ConfigError(name: prefix + "type", value: name, reason: "Class \(name) could not be found.")
        }
        do {
            return try plugin.make(configs)
        } catch {
            throw Self.configError(error, prefix: prefix)
        }
    }

    /// Creates the stages a connector configuration describes (Kafka's
    /// `ConnectorConfig.transformationStages()`), spec §3.6: for each alias `A` in `transforms`, the
    /// transform `transforms.A.type` configured with the other `transforms.A.*` keys, guarded by
    /// predicate `transforms.A.predicate` (an alias listed in `predicates`, configured from
    /// `predicates.<P>.*`) and `transforms.A.negate`. Every stage gets its own predicate instance.
    /// - Throws: ``ConfigError`` naming the full key: a duplicate alias, a missing or unknown `type`,
    ///   `negate` without `predicate`, a predicate not listed in `predicates`, or an invalid transform or
    ///   predicate configuration.
    public func makeStages(connectorConfig config: [String: String]) throws(ConfigError) -> [TransformationStage] {
        let transformAliases = try Self.aliasList(config, "transforms")
        let predicateAliases = try Self.aliasList(config, "predicates")
        var stages: [TransformationStage] = []
        do throws(ConfigError) {
            for alias in transformAliases {
                stages.append(try makeStage(alias, config, declaredPredicates: Set(predicateAliases)))
            }
        } catch {
            for stage in stages { stage.close() }
            throw error
        }
        return stages
    }

    /// ``makeStages(connectorConfig:)`` as a chain.
    public func makeChain(connectorConfig config: [String: String]) throws(ConfigError) -> TransformationChain {
        TransformationChain(try makeStages(connectorConfig: config))
    }

    private func makeStage(
        _ alias: String,
        _ config: [String: String],
        declaredPredicates: Set<String>
    ) throws(ConfigError) -> TransformationStage {
        let prefix = "transforms.\(alias)."
        let configs = Self.withPrefix(config, prefix)
        guard let typeName = configs["type"].map(javaTrim) else { throw ConfigError.missingRequired(prefix + "type") }
        let predicateAlias = configs["predicate"].map(javaTrim)
        var negate = false
        if let raw = configs["negate"] {
            guard predicateAlias != nil else {
                throw ConfigError(
                    "Config '\(prefix)negate' was provided but there is no config '\(prefix)predicate' defining a "
                        + "predicate to be negated."
                )
            }
            if case .boolean(let value) = try ConfigDef.parseType(name: prefix + "negate", value: raw, type: .boolean) {
                negate = value
            }
        }
        var own = configs
        own["type"] = nil
        own["predicate"] = nil
        own["negate"] = nil
        let className = transformation(named: typeName)?.className ?? typeName
        let transform = try makeTransformation(typeName, configs: own, alias: alias)
        guard let predicateAlias else {
            return TransformationStage(transform, alias: alias, className: className)
        }
        do throws(ConfigError) {
            guard declaredPredicates.contains(predicateAlias) else {
                throw ConfigError(
                    name: prefix + "predicate",
                    value: predicateAlias,
                    reason: "Predicate alias \(predicateAlias) is not declared in 'predicates'; add it there and "
                        + "configure predicates.\(predicateAlias).type"
                )
            }
            let predicatePrefix = "predicates.\(predicateAlias)."
            var predicateConfigs = Self.withPrefix(config, predicatePrefix)
            guard let predicateType = predicateConfigs["type"].map(javaTrim) else {
                throw ConfigError.missingRequired(predicatePrefix + "type")
            }
            predicateConfigs["type"] = nil
            let predicate = try makePredicate(predicateType, configs: predicateConfigs, alias: predicateAlias)
            return TransformationStage(
                transform,
                predicate: predicate,
                negate: negate,
                alias: alias,
                className: className,
                predicateAlias: predicateAlias
            )
        } catch {
            transform.close()
            throw error
        }
    }

    /// The transform and predicate keys a connector configuration defines, for validation (Kafka's
    /// `ConnectorConfig.enrich`): for each alias `A` in `transforms`, `transforms.A.type` (CLASS,
    /// required; its validator reports an unknown class, and `negate` given without `predicate`),
    /// `transforms.A.predicate` (STRING, null), `transforms.A.negate` (BOOLEAN, false) and the
    /// transform's own keys prefixed with `transforms.A.`, all in group `Transforms: A`; likewise
    /// `predicates.P.type` and the predicate's keys in group `Predicates: P`. Merge it with the
    /// connector's own definition and call ``ConfigDef/validate(_:)``.
    public func configDef(forConnectorConfig config: [String: String]) -> ConfigDef {
        var definition = ConfigDef()
        let transformAliases = (try? Self.aliasList(config, "transforms", allowDuplicates: true)) ?? []
        for alias in Self.unique(transformAliases) {
            let prefix = "transforms.\(alias)."
            let group = "Transforms: \(alias)"
            let typeName = config[prefix + "type"].map(javaTrim)
            let plugin = typeName.flatMap { transformation(named: $0) }
            let typeValidator = ConfigValidator(description: "valid configs for \(alias) transformation") {
                name,
                value throws(ConfigError) in
                if config[prefix + "negate"] != nil && config[prefix + "predicate"] == nil {
                    throw ConfigError(
                        "Config '\(prefix)negate' was provided but there is no config '\(prefix)predicate' defining a "
                            + "predicate to be negated.",
                        name: name
                    )
                }
                guard let value else { return }
                guard self.transformation(named: value.description) != nil else {
                    throw ConfigError(
                        name: name,
                        value: value.description,
                        reason: "Class \(value) could not be found."
                    )
                }
            }
            var order = 0
            Self.define(
                &definition,
                ConfigKey(
                    prefix + "type",
                    type: .class,
                    validator: typeValidator,
                    importance: .high,
                    documentation: "Class for the '\(alias)' transformation.",
                    group: group,
                    orderInGroup: order,
                    width: .long,
                    displayName: "Transformation type for \(alias)"
                )
            )
            order += 1
            var own = [
                ConfigKey(
                    "predicate",
                    type: .string,
                    default: nil,
                    importance: .medium,
                    documentation: "The alias of a predicate used to determine whether to apply this transformation."
                ),
                ConfigKey(
                    "negate",
                    type: .boolean,
                    default: false,
                    importance: .medium,
                    documentation: "Whether the configured predicate should be negated."
                ),
            ]
            own += (plugin?.configDef.configKeys ?? []).filter { $0.name != "predicate" && $0.name != "negate" }
            for key in own {
                Self.define(&definition, Self.embedded(key, prefix: prefix, group: group, order: order))
                order += 1
            }
        }
        let predicateAliases = (try? Self.aliasList(config, "predicates", allowDuplicates: true)) ?? []
        for alias in Self.unique(predicateAliases) {
            let prefix = "predicates.\(alias)."
            let group = "Predicates: \(alias)"
            let plugin = config[prefix + "type"].map(javaTrim).flatMap { predicate(named: $0) }
            let typeValidator = ConfigValidator(description: "valid configs for \(alias) predicate") {
                name,
                value throws(ConfigError) in
                guard let value else { return }
                guard self.predicate(named: value.description) != nil else {
                    throw ConfigError(
                        name: name,
                        value: value.description,
                        reason: "Class \(value) could not be found."
                    )
                }
            }
            Self.define(
                &definition,
                ConfigKey(
                    prefix + "type",
                    type: .class,
                    validator: typeValidator,
                    importance: .high,
                    documentation: "Class for the '\(alias)' predicate.",
                    group: group,
                    orderInGroup: 0,
                    width: .long,
                    displayName: "Predicate type for \(alias)"
                )
            )
            for (index, key) in (plugin?.configDef.configKeys ?? []).enumerated() {
                Self.define(&definition, Self.embedded(key, prefix: prefix, group: group, order: index + 1))
            }
        }
        return definition
    }

    private static func embedded(_ key: ConfigKey, prefix: String, group: String, order: Int) -> ConfigKey {
        var copy = key
        copy.name = prefix + key.name
        copy.group = group + (key.group.map { ": " + $0 } ?? "")
        copy.orderInGroup = order
        copy.dependents = key.dependents.map { prefix + $0 }
        return copy
    }

    private static func define(_ definition: inout ConfigDef, _ key: ConfigKey) {
        // A plugin key clashing with `type` is left out rather than failing the whole validation.
        try? definition.define(key)
    }

    private static func unique(_ aliases: [String]) -> [String] {
        var seen: Set<String> = []
        return aliases.filter { seen.insert($0).inserted }
    }

    private static func aliasList(
        _ config: [String: String],
        _ key: String,
        allowDuplicates: Bool = false
    ) throws(ConfigError) -> [String] {
        guard let raw = config[key] else { return [] }
        guard case .list(let aliases) = try ConfigDef.parseType(name: key, value: raw, type: .list) else { return [] }
        if !allowDuplicates && Set(aliases).count != aliases.count {
            throw ConfigError(name: key, parsedValue: .list(aliases), reason: "Duplicate alias provided.")
        }
        return aliases
    }

    private static func withPrefix(_ config: [String: String], _ prefix: String) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in config where key.hasPrefix(prefix) { result[String(key.dropFirst(prefix.count))] = value }
        return result
    }

    /// A plugin's error with its keys prefixed by `transforms.<alias>.` / `predicates.<alias>.`.
    private static func configError(_ error: any Error, prefix: String) -> ConfigError {
        guard let error = error as? ConfigError else {
            let scope = prefix.isEmpty ? "" : String(prefix.dropLast()) + ": "
            return ConfigError("\(scope)\(error)")
        }
        return error.prefixed(prefix)
    }
}

extension ConfigError {
    /// The same error for the key `prefix + name` (a transform's or predicate's key inside a connector
    /// configuration): per-key messages are rebuilt with the full key, other messages get
    /// `<prefix without the dot>: ` in front.
    func prefixed(_ prefix: String) -> ConfigError {
        guard !prefix.isEmpty else { return self }
        if let name, reason == "missing" { return ConfigError.missingRequired(prefix + name) }
        if let name, let reason, message.hasPrefix("Invalid value ") {
            return ConfigError(name: prefix + name, value: value, reason: reason)
        }
        var copy = ConfigError(String(prefix.dropLast()) + ": " + message, name: name.map { prefix + $0 })
        copy.reason = reason
        return copy
    }
}
