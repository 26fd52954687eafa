// Kafka's numeric error codes (org.apache.kafka.common.protocol.Errors), with the retriable flag
// Kafka gives each. Codes this table does not know keep their number and are not retriable.

/// A Kafka protocol error code as found in `errorCode` fields.
public struct KafkaErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int16

    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    /// Kafka's name for the code (`NOT_LEADER_OR_FOLLOWER`), or `UNKNOWN_CODE_<n>`.
    public var name: String {
        Self.table[self.rawValue]?.name ?? "UNKNOWN_CODE_\(self.rawValue)"
    }

    /// Whether Kafka marks the error retriable: the same request may succeed if sent again.
    public var isRetriable: Bool {
        Self.table[self.rawValue]?.retriable ?? false
    }

    public var description: String { "\(self.name) (\(self.rawValue))" }

    public static let unknownServerError = KafkaErrorCode(rawValue: -1)
    public static let noError = KafkaErrorCode(rawValue: 0)
    public static let offsetOutOfRange = KafkaErrorCode(rawValue: 1)
    public static let corruptMessage = KafkaErrorCode(rawValue: 2)
    public static let unknownTopicOrPartition = KafkaErrorCode(rawValue: 3)
    public static let invalidFetchSize = KafkaErrorCode(rawValue: 4)
    public static let leaderNotAvailable = KafkaErrorCode(rawValue: 5)
    public static let notLeaderOrFollower = KafkaErrorCode(rawValue: 6)
    public static let requestTimedOut = KafkaErrorCode(rawValue: 7)
    public static let brokerNotAvailable = KafkaErrorCode(rawValue: 8)
    public static let replicaNotAvailable = KafkaErrorCode(rawValue: 9)
    public static let messageTooLarge = KafkaErrorCode(rawValue: 10)
    public static let staleControllerEpoch = KafkaErrorCode(rawValue: 11)
    public static let offsetMetadataTooLarge = KafkaErrorCode(rawValue: 12)
    public static let networkException = KafkaErrorCode(rawValue: 13)
    public static let coordinatorLoadInProgress = KafkaErrorCode(rawValue: 14)
    public static let coordinatorNotAvailable = KafkaErrorCode(rawValue: 15)
    public static let notCoordinator = KafkaErrorCode(rawValue: 16)
    public static let invalidTopic = KafkaErrorCode(rawValue: 17)
    public static let recordListTooLarge = KafkaErrorCode(rawValue: 18)
    public static let notEnoughReplicas = KafkaErrorCode(rawValue: 19)
    public static let notEnoughReplicasAfterAppend = KafkaErrorCode(rawValue: 20)
    public static let invalidRequiredAcks = KafkaErrorCode(rawValue: 21)
    public static let illegalGeneration = KafkaErrorCode(rawValue: 22)
    public static let inconsistentGroupProtocol = KafkaErrorCode(rawValue: 23)
    public static let invalidGroupId = KafkaErrorCode(rawValue: 24)
    public static let unknownMemberId = KafkaErrorCode(rawValue: 25)
    public static let invalidSessionTimeout = KafkaErrorCode(rawValue: 26)
    public static let rebalanceInProgress = KafkaErrorCode(rawValue: 27)
    public static let invalidCommitOffsetSize = KafkaErrorCode(rawValue: 28)
    public static let topicAuthorizationFailed = KafkaErrorCode(rawValue: 29)
    public static let groupAuthorizationFailed = KafkaErrorCode(rawValue: 30)
    public static let clusterAuthorizationFailed = KafkaErrorCode(rawValue: 31)
    public static let invalidTimestamp = KafkaErrorCode(rawValue: 32)
    public static let unsupportedSaslMechanism = KafkaErrorCode(rawValue: 33)
    public static let illegalSaslState = KafkaErrorCode(rawValue: 34)
    public static let unsupportedVersion = KafkaErrorCode(rawValue: 35)
    public static let topicAlreadyExists = KafkaErrorCode(rawValue: 36)
    public static let invalidPartitions = KafkaErrorCode(rawValue: 37)
    public static let invalidReplicationFactor = KafkaErrorCode(rawValue: 38)
    public static let invalidReplicaAssignment = KafkaErrorCode(rawValue: 39)
    public static let invalidConfig = KafkaErrorCode(rawValue: 40)
    public static let notController = KafkaErrorCode(rawValue: 41)
    public static let invalidRequest = KafkaErrorCode(rawValue: 42)
    public static let unsupportedForMessageFormat = KafkaErrorCode(rawValue: 43)
    public static let policyViolation = KafkaErrorCode(rawValue: 44)
    public static let outOfOrderSequenceNumber = KafkaErrorCode(rawValue: 45)
    public static let duplicateSequenceNumber = KafkaErrorCode(rawValue: 46)
    public static let invalidProducerEpoch = KafkaErrorCode(rawValue: 47)
    public static let invalidTxnState = KafkaErrorCode(rawValue: 48)
    public static let invalidProducerIdMapping = KafkaErrorCode(rawValue: 49)
    public static let invalidTransactionTimeout = KafkaErrorCode(rawValue: 50)
    public static let concurrentTransactions = KafkaErrorCode(rawValue: 51)
    public static let transactionCoordinatorFenced = KafkaErrorCode(rawValue: 52)
    public static let transactionalIdAuthorizationFailed = KafkaErrorCode(rawValue: 53)
    public static let securityDisabled = KafkaErrorCode(rawValue: 54)
    public static let operationNotAttempted = KafkaErrorCode(rawValue: 55)
    public static let kafkaStorageError = KafkaErrorCode(rawValue: 56)
    public static let logDirNotFound = KafkaErrorCode(rawValue: 57)
    public static let saslAuthenticationFailed = KafkaErrorCode(rawValue: 58)
    public static let unknownProducerId = KafkaErrorCode(rawValue: 59)
    public static let reassignmentInProgress = KafkaErrorCode(rawValue: 60)
    public static let delegationTokenAuthDisabled = KafkaErrorCode(rawValue: 61)
    public static let delegationTokenNotFound = KafkaErrorCode(rawValue: 62)
    public static let delegationTokenOwnerMismatch = KafkaErrorCode(rawValue: 63)
    public static let delegationTokenRequestNotAllowed = KafkaErrorCode(rawValue: 64)
    public static let delegationTokenAuthorizationFailed = KafkaErrorCode(rawValue: 65)
    public static let delegationTokenExpired = KafkaErrorCode(rawValue: 66)
    public static let invalidPrincipalType = KafkaErrorCode(rawValue: 67)
    public static let nonEmptyGroup = KafkaErrorCode(rawValue: 68)
    public static let groupIdNotFound = KafkaErrorCode(rawValue: 69)
    public static let fetchSessionIdNotFound = KafkaErrorCode(rawValue: 70)
    public static let invalidFetchSessionEpoch = KafkaErrorCode(rawValue: 71)
    public static let listenerNotFound = KafkaErrorCode(rawValue: 72)
    public static let topicDeletionDisabled = KafkaErrorCode(rawValue: 73)
    public static let fencedLeaderEpoch = KafkaErrorCode(rawValue: 74)
    public static let unknownLeaderEpoch = KafkaErrorCode(rawValue: 75)
    public static let unsupportedCompressionType = KafkaErrorCode(rawValue: 76)
    public static let staleBrokerEpoch = KafkaErrorCode(rawValue: 77)
    public static let offsetNotAvailable = KafkaErrorCode(rawValue: 78)
    public static let memberIdRequired = KafkaErrorCode(rawValue: 79)
    public static let preferredLeaderNotAvailable = KafkaErrorCode(rawValue: 80)
    public static let groupMaxSizeReached = KafkaErrorCode(rawValue: 81)
    public static let fencedInstanceId = KafkaErrorCode(rawValue: 82)
    public static let eligibleLeadersNotAvailable = KafkaErrorCode(rawValue: 83)
    public static let electionNotNeeded = KafkaErrorCode(rawValue: 84)
    public static let noReassignmentInProgress = KafkaErrorCode(rawValue: 85)
    public static let groupSubscribedToTopic = KafkaErrorCode(rawValue: 86)
    public static let invalidRecord = KafkaErrorCode(rawValue: 87)
    public static let unstableOffsetCommit = KafkaErrorCode(rawValue: 88)
    public static let throttlingQuotaExceeded = KafkaErrorCode(rawValue: 89)
    public static let producerFenced = KafkaErrorCode(rawValue: 90)
    public static let resourceNotFound = KafkaErrorCode(rawValue: 91)
    public static let duplicateResource = KafkaErrorCode(rawValue: 92)
    public static let unacceptableCredential = KafkaErrorCode(rawValue: 93)
    public static let inconsistentVoterSet = KafkaErrorCode(rawValue: 94)
    public static let invalidUpdateVersion = KafkaErrorCode(rawValue: 95)
    public static let featureUpdateFailed = KafkaErrorCode(rawValue: 96)
    public static let principalDeserializationFailure = KafkaErrorCode(rawValue: 97)
    public static let snapshotNotFound = KafkaErrorCode(rawValue: 98)
    public static let positionOutOfRange = KafkaErrorCode(rawValue: 99)
    public static let unknownTopicId = KafkaErrorCode(rawValue: 100)
    public static let duplicateBrokerRegistration = KafkaErrorCode(rawValue: 101)
    public static let brokerIdNotRegistered = KafkaErrorCode(rawValue: 102)
    public static let inconsistentTopicId = KafkaErrorCode(rawValue: 103)
    public static let inconsistentClusterId = KafkaErrorCode(rawValue: 104)
    public static let transactionalIdNotFound = KafkaErrorCode(rawValue: 105)
    public static let fetchSessionTopicIdError = KafkaErrorCode(rawValue: 106)
    public static let ineligibleReplica = KafkaErrorCode(rawValue: 107)
    public static let newLeaderElected = KafkaErrorCode(rawValue: 108)
    public static let offsetMovedToTieredStorage = KafkaErrorCode(rawValue: 109)
    public static let fencedMemberEpoch = KafkaErrorCode(rawValue: 110)
    public static let unreleasedInstanceId = KafkaErrorCode(rawValue: 111)
    public static let unsupportedAssignor = KafkaErrorCode(rawValue: 112)
    public static let staleMemberEpoch = KafkaErrorCode(rawValue: 113)
    public static let mismatchedEndpointType = KafkaErrorCode(rawValue: 114)
    public static let unsupportedEndpointType = KafkaErrorCode(rawValue: 115)
    public static let unknownControllerId = KafkaErrorCode(rawValue: 116)
    public static let unknownSubscriptionId = KafkaErrorCode(rawValue: 117)
    public static let telemetryTooLarge = KafkaErrorCode(rawValue: 118)
    public static let invalidRegistration = KafkaErrorCode(rawValue: 119)
    public static let transactionAbortable = KafkaErrorCode(rawValue: 120)

    private static let table: [Int16: (name: String, retriable: Bool)] = [
        -1: ("UNKNOWN_SERVER_ERROR", false),
        0: ("NONE", false),
        1: ("OFFSET_OUT_OF_RANGE", false),
        2: ("CORRUPT_MESSAGE", true),
        3: ("UNKNOWN_TOPIC_OR_PARTITION", true),
        4: ("INVALID_FETCH_SIZE", false),
        5: ("LEADER_NOT_AVAILABLE", true),
        6: ("NOT_LEADER_OR_FOLLOWER", true),
        7: ("REQUEST_TIMED_OUT", true),
        8: ("BROKER_NOT_AVAILABLE", false),
        9: ("REPLICA_NOT_AVAILABLE", true),
        10: ("MESSAGE_TOO_LARGE", false),
        11: ("STALE_CONTROLLER_EPOCH", false),
        12: ("OFFSET_METADATA_TOO_LARGE", false),
        13: ("NETWORK_EXCEPTION", true),
        14: ("COORDINATOR_LOAD_IN_PROGRESS", true),
        15: ("COORDINATOR_NOT_AVAILABLE", true),
        16: ("NOT_COORDINATOR", true),
        17: ("INVALID_TOPIC_EXCEPTION", false),
        18: ("RECORD_LIST_TOO_LARGE", false),
        19: ("NOT_ENOUGH_REPLICAS", true),
        20: ("NOT_ENOUGH_REPLICAS_AFTER_APPEND", true),
        21: ("INVALID_REQUIRED_ACKS", false),
        22: ("ILLEGAL_GENERATION", false),
        23: ("INCONSISTENT_GROUP_PROTOCOL", false),
        24: ("INVALID_GROUP_ID", false),
        25: ("UNKNOWN_MEMBER_ID", false),
        26: ("INVALID_SESSION_TIMEOUT", false),
        27: ("REBALANCE_IN_PROGRESS", false),
        28: ("INVALID_COMMIT_OFFSET_SIZE", false),
        29: ("TOPIC_AUTHORIZATION_FAILED", false),
        30: ("GROUP_AUTHORIZATION_FAILED", false),
        31: ("CLUSTER_AUTHORIZATION_FAILED", false),
        32: ("INVALID_TIMESTAMP", false),
        33: ("UNSUPPORTED_SASL_MECHANISM", false),
        34: ("ILLEGAL_SASL_STATE", false),
        35: ("UNSUPPORTED_VERSION", false),
        36: ("TOPIC_ALREADY_EXISTS", false),
        37: ("INVALID_PARTITIONS", false),
        38: ("INVALID_REPLICATION_FACTOR", false),
        39: ("INVALID_REPLICA_ASSIGNMENT", false),
        40: ("INVALID_CONFIG", false),
        41: ("NOT_CONTROLLER", true),
        42: ("INVALID_REQUEST", false),
        43: ("UNSUPPORTED_FOR_MESSAGE_FORMAT", false),
        44: ("POLICY_VIOLATION", false),
        45: ("OUT_OF_ORDER_SEQUENCE_NUMBER", false),
        46: ("DUPLICATE_SEQUENCE_NUMBER", false),
        47: ("INVALID_PRODUCER_EPOCH", false),
        48: ("INVALID_TXN_STATE", false),
        49: ("INVALID_PRODUCER_ID_MAPPING", false),
        50: ("INVALID_TRANSACTION_TIMEOUT", false),
        51: ("CONCURRENT_TRANSACTIONS", true),
        52: ("TRANSACTION_COORDINATOR_FENCED", false),
        53: ("TRANSACTIONAL_ID_AUTHORIZATION_FAILED", false),
        54: ("SECURITY_DISABLED", false),
        55: ("OPERATION_NOT_ATTEMPTED", false),
        56: ("KAFKA_STORAGE_ERROR", true),
        57: ("LOG_DIR_NOT_FOUND", false),
        58: ("SASL_AUTHENTICATION_FAILED", false),
        59: ("UNKNOWN_PRODUCER_ID", false),
        60: ("REASSIGNMENT_IN_PROGRESS", false),
        61: ("DELEGATION_TOKEN_AUTH_DISABLED", false),
        62: ("DELEGATION_TOKEN_NOT_FOUND", false),
        63: ("DELEGATION_TOKEN_OWNER_MISMATCH", false),
        64: ("DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", false),
        65: ("DELEGATION_TOKEN_AUTHORIZATION_FAILED", false),
        66: ("DELEGATION_TOKEN_EXPIRED", false),
        67: ("INVALID_PRINCIPAL_TYPE", false),
        68: ("NON_EMPTY_GROUP", false),
        69: ("GROUP_ID_NOT_FOUND", false),
        70: ("FETCH_SESSION_ID_NOT_FOUND", true),
        71: ("INVALID_FETCH_SESSION_EPOCH", true),
        72: ("LISTENER_NOT_FOUND", true),
        73: ("TOPIC_DELETION_DISABLED", false),
        74: ("FENCED_LEADER_EPOCH", true),
        75: ("UNKNOWN_LEADER_EPOCH", true),
        76: ("UNSUPPORTED_COMPRESSION_TYPE", false),
        77: ("STALE_BROKER_EPOCH", false),
        78: ("OFFSET_NOT_AVAILABLE", true),
        79: ("MEMBER_ID_REQUIRED", false),
        80: ("PREFERRED_LEADER_NOT_AVAILABLE", true),
        81: ("GROUP_MAX_SIZE_REACHED", false),
        82: ("FENCED_INSTANCE_ID", false),
        83: ("ELIGIBLE_LEADERS_NOT_AVAILABLE", true),
        84: ("ELECTION_NOT_NEEDED", true),
        85: ("NO_REASSIGNMENT_IN_PROGRESS", false),
        86: ("GROUP_SUBSCRIBED_TO_TOPIC", false),
        87: ("INVALID_RECORD", false),
        88: ("UNSTABLE_OFFSET_COMMIT", true),
        89: ("THROTTLING_QUOTA_EXCEEDED", true),
        90: ("PRODUCER_FENCED", false),
        91: ("RESOURCE_NOT_FOUND", false),
        92: ("DUPLICATE_RESOURCE", false),
        93: ("UNACCEPTABLE_CREDENTIAL", false),
        94: ("INCONSISTENT_VOTER_SET", false),
        95: ("INVALID_UPDATE_VERSION", false),
        96: ("FEATURE_UPDATE_FAILED", false),
        97: ("PRINCIPAL_DESERIALIZATION_FAILURE", false),
        98: ("SNAPSHOT_NOT_FOUND", false),
        99: ("POSITION_OUT_OF_RANGE", false),
        100: ("UNKNOWN_TOPIC_ID", true),
        101: ("DUPLICATE_BROKER_REGISTRATION", false),
        102: ("BROKER_ID_NOT_REGISTERED", false),
        103: ("INCONSISTENT_TOPIC_ID", true),
        104: ("INCONSISTENT_CLUSTER_ID", false),
        105: ("TRANSACTIONAL_ID_NOT_FOUND", false),
        106: ("FETCH_SESSION_TOPIC_ID_ERROR", true),
        107: ("INELIGIBLE_REPLICA", false),
        108: ("NEW_LEADER_ELECTED", true),
        109: ("OFFSET_MOVED_TO_TIERED_STORAGE", false),
        110: ("FENCED_MEMBER_EPOCH", false),
        111: ("UNRELEASED_INSTANCE_ID", false),
        112: ("UNSUPPORTED_ASSIGNOR", false),
        113: ("STALE_MEMBER_EPOCH", false),
        114: ("MISMATCHED_ENDPOINT_TYPE", false),
        115: ("UNSUPPORTED_ENDPOINT_TYPE", false),
        116: ("UNKNOWN_CONTROLLER_ID", false),
        117: ("UNKNOWN_SUBSCRIPTION_ID", false),
        118: ("TELEMETRY_TOO_LARGE", false),
        119: ("INVALID_REGISTRATION", false),
        120: ("TRANSACTION_ABORTABLE", false),
    ]
}
