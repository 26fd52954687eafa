import ConnectAPI

/// One step of a connector's transform chain: a transform, and optionally the predicate that decides
/// whether it applies (Kafka's runtime `TransformationStage`).
///
/// The transform is applied when there is no predicate, or when `negate` XOR `predicate.test(record)`
/// is true; otherwise the record passes through unchanged. Errors from the predicate or the transform
/// propagate unchanged (``DataError``, ``RetriableError``, …), so that the runtime can apply its error
/// tolerance; ``alias`` and ``className`` identify the stage in error reports. A stage is an immutable
/// reference, shared by the chain's copies.
public final class TransformationStage: Sendable {
    /// The transform.
    public let transformation: any Transformation
    /// The predicate guarding it, if any.
    public let predicate: (any RecordPredicate)?
    /// Whether the predicate's result is inverted.
    public let negate: Bool
    /// The transform's alias in the connector configuration (`transforms=<alias>`), if known.
    public let alias: String?
    /// The transform's class name (e.g. `org.apache.kafka.connect.transforms.Cast$Value`), if known.
    public let className: String?
    /// The predicate's alias (`predicates=<alias>`), if any.
    public let predicateAlias: String?
    /// Whether there is a predicate (checked without copying the existential on the hot path).
    private let hasPredicate: Bool

    /// Creates a stage.
    public init(
        _ transformation: any Transformation,
        predicate: (any RecordPredicate)? = nil,
        negate: Bool = false,
        alias: String? = nil,
        className: String? = nil,
        predicateAlias: String? = nil
    ) {
        self.transformation = transformation
        self.predicate = predicate
        self.negate = negate
        self.alias = alias
        self.className = className
        self.predicateAlias = predicateAlias
        self.hasPredicate = predicate != nil
    }

    /// Whether the transform applies to the record (no predicate, or `negate` XOR the predicate).
    @_specialize(where R == SinkRecord)
    @_specialize(where R == SourceRecord)
    public func applies<R: ConnectRecord>(to record: R) throws -> Bool {
        guard hasPredicate, let predicate else { return true }
        return try negate != predicate.test(record)
    }

    /// The transformed record, the record unchanged if the predicate says so, or `nil` if the
    /// transform drops it.
    @_specialize(where R == SinkRecord)
    @_specialize(where R == SourceRecord)
    public func apply<R: ConnectRecord>(_ record: R) throws -> R? {
        guard try applies(to: record) else { return record }
        return try transformation.apply(record)
    }

    /// Closes the transform and the predicate.
    public func close() {
        transformation.close()
        predicate?.close()
    }
}

extension TransformationStage: CustomStringConvertible {
    /// `TransformationStage{alias=…, className=…, predicate=…, negate=…}`.
    public var description: String {
        "TransformationStage{alias=\(alias ?? "null"), className=\(className ?? "\(type(of: transformation))"), "
            + "predicate=\(predicateAlias ?? predicate.map { "\(type(of: $0))" } ?? "null"), negate=\(negate)}"
    }
}

/// A connector's transform stages in order (Kafka's runtime `TransformationChain`).
///
/// ``apply(_:)`` passes the record through every stage; a stage returning `nil` drops the record and
/// skips the rest. A runtime that needs per-stage error handling (retries, tolerance, error context)
/// iterates ``stages`` itself.
public struct TransformationChain: Sendable {
    /// The stages, in the order of the `transforms` list.
    public let stages: [TransformationStage]

    /// A chain of the given stages.
    public init(_ stages: [TransformationStage] = []) {
        self.stages = stages
    }

    /// Whether there are no stages.
    public var isEmpty: Bool { stages.isEmpty }

    /// The record after every stage, or `nil` if a stage dropped it.
    @_specialize(where R == SinkRecord)
    @_specialize(where R == SourceRecord)
    public func apply<R: ConnectRecord>(_ record: R) throws -> R? {
        var current = record
        for stage in stages {
            guard let next = try stage.apply(current) else { return nil }
            current = next
        }
        return current
    }

    /// Closes every stage.
    public func close() {
        for stage in stages { stage.close() }
    }
}
