import ConnectAPI

extension ConfigValidator {
    /// A legal Kafka topic name, by the broker's rules (Kafka's `Topic.validate`): 1 to 249 characters
    /// from `[a-zA-Z0-9._-]`, and neither `.` nor `..`.
    ///
    /// A `null` value passes, so that a missing required key reports only "Missing required
    /// configuration": ``ConfigDef/validate(_:)`` runs the validator even when the value is missing.
    static let topicName = ConfigValidator(description: "a legal topic name") { name, value throws(ConfigError) in
        guard let value else { return }
        let topic = value.description
        let reason: String?
        if topic.isEmpty {
            reason = "Topic name is illegal, it can't be empty"
        } else if topic == "." || topic == ".." {
            reason = "Topic name cannot be \".\" or \"..\""
        } else if topic.utf8.count > 249 {
            reason = "Topic name is illegal, it can't be longer than 249 characters"
        } else if !topic.utf8.allSatisfy(isLegalTopicByte) {
            reason =
                "Topic name \"\(topic)\" is illegal, it contains a character other than ASCII alphanumerics, "
                + "'.', '_' and '-'"
        } else {
            reason = nil
        }
        if let reason { throw ConfigError(name: name, value: topic, reason: reason) }
    }
}

private func isLegalTopicByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
        true
    default:
        false
    }
}
