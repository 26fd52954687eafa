import ConnectRuntime

/// Prometheus text exposition format 0.0.4 (what `GET /metrics` answers).
public enum PrometheusText {
    /// The response's content type.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The families as `# HELP`, `# TYPE` and one line per sample; a family without samples keeps
    /// its HELP and TYPE lines so that scrapers learn the name before the first task runs.
    public static func render(_ families: [MetricFamily]) -> String {
        var text = ""
        for family in families {
            text += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            text += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            for sample in family.samples {
                text += family.name
                if !sample.labels.isEmpty {
                    text += "{"
                    text += sample.labels.map { "\($0.name)=\"\(escapeLabel($0.value))\"" }.joined(separator: ",")
                    text += "}"
                }
                text += " \(format(sample.value))\n"
            }
        }
        return text
    }

    /// HELP text escapes backslash and newline.
    static func escapeHelp(_ text: String) -> String { escape(text, quote: false) }

    /// Label values also escape the double quote.
    static func escapeLabel(_ text: String) -> String { escape(text, quote: true) }

    private static func escape(_ text: String, quote: Bool) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\"" where quote: escaped += "\\\""
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Integers without a fraction (`12`, not `12.0`); `NaN`, `+Inf` and `-Inf` as Prometheus spells them.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
