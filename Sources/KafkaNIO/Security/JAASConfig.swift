/// One login module entry of `sasl.jaas.config`, as the Java client reads it:
/// `<LoginModuleClass> <flag> [name=value ...];` with values bare words or double-quoted strings
/// (backslash escapes), and `//` and `/* */` comments.
///
/// Parse errors name the position and what was expected but never echo values: the text holds a
/// password.
struct JAASConfig: Sendable {
    var loginModule: String
    var controlFlag: String
    var options: [String: String]

    static let property = "sasl.jaas.config"
    static let controlFlags: Set<String> = ["required", "requisite", "sufficient", "optional"]

    init(loginModule: String, controlFlag: String, options: [String: String]) {
        self.loginModule = loginModule
        self.controlFlag = controlFlag
        self.options = options
    }

    /// Parses exactly one login module, as Kafka requires for a client.
    init(parsing text: String) throws {
        var tokenizer = Tokenizer(Array(text.unicodeScalars))
        var entries: [JAASConfig] = []
        while let token = try tokenizer.next() {
            guard case .word(let module) = token else {
                throw Self.error("expected a login module class name at character \(tokenizer.position)")
            }
            guard case .word(let flag)? = try tokenizer.next(), Self.controlFlags.contains(flag.lowercased()) else {
                throw Self.error(
                    "expected a control flag (required, requisite, sufficient or optional) after \(module)"
                )
            }
            var options: [String: String] = [:]
            while true {
                switch try tokenizer.next() {
                case .semicolon?:
                    break
                case .word(let name)?:
                    guard case .equals? = try tokenizer.next() else {
                        throw Self.error("expected '=' after option name '\(name)'")
                    }
                    switch try tokenizer.next() {
                    case .word(let value)?, .quoted(let value)?: options[name] = value
                    default: throw Self.error("expected a value for option '\(name)'")
                    }
                    continue
                case .quoted?, .equals?:
                    throw Self.error("expected an option name or ';' at character \(tokenizer.position)")
                case nil:
                    throw Self.error("missing ';' at the end of the login module entry")
                }
                break
            }
            entries.append(JAASConfig(loginModule: module, controlFlag: flag.lowercased(), options: options))
        }
        guard entries.count == 1, let entry = entries.first else {
            throw Self.error(
                "contains \(entries.count) login modules, a client needs exactly 1, e.g. "
                    + "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";"
            )
        }
        self = entry
    }

    static func error(_ reason: String) -> KafkaError {
        .invalidConfiguration(property: Self.property, reason: reason)
    }

    private enum Token {
        case word(String)
        case quoted(String)
        case equals
        case semicolon
    }

    private struct Tokenizer {
        let scalars: [Unicode.Scalar]
        var position = 0

        init(_ scalars: [Unicode.Scalar]) {
            self.scalars = scalars
        }

        mutating func next() throws -> Token? {
            try self.skipSpaceAndComments()
            guard self.position < self.scalars.count else { return nil }
            let scalar = self.scalars[self.position]
            switch scalar {
            case "=":
                self.position += 1
                return .equals
            case ";":
                self.position += 1
                return .semicolon
            case "\"":
                return .quoted(try self.quoted())
            default:
                var word = String.UnicodeScalarView()
                while self.position < self.scalars.count {
                    let next = self.scalars[self.position]
                    if next == "=" || next == ";" || next == "\"" || next.properties.isWhitespace { break }
                    word.append(next)
                    self.position += 1
                }
                return .word(String(word))
            }
        }

        private mutating func quoted() throws -> String {
            let start = self.position
            self.position += 1
            var value = String.UnicodeScalarView()
            while self.position < self.scalars.count {
                let scalar = self.scalars[self.position]
                self.position += 1
                switch scalar {
                case "\"":
                    return String(value)
                case "\\":
                    guard self.position < self.scalars.count else { break }
                    let escaped = self.scalars[self.position]
                    self.position += 1
                    switch escaped {
                    case "n": value.append("\n")
                    case "t": value.append("\t")
                    case "r": value.append("\r")
                    case "b": value.append("\u{8}")
                    case "f": value.append("\u{C}")
                    default: value.append(escaped)
                    }
                default:
                    value.append(scalar)
                }
            }
            throw JAASConfig.error("the quoted value starting at character \(start) has no closing '\"'")
        }

        private mutating func skipSpaceAndComments() throws {
            while self.position < self.scalars.count {
                let scalar = self.scalars[self.position]
                if scalar.properties.isWhitespace {
                    self.position += 1
                } else if scalar == "/", self.peek(1) == "/" {
                    while self.position < self.scalars.count, self.scalars[self.position] != "\n" {
                        self.position += 1
                    }
                } else if scalar == "/", self.peek(1) == "*" {
                    let start = self.position
                    self.position += 2
                    while self.position < self.scalars.count,
                        !(self.scalars[self.position] == "*" && self.peek(1) == "/")
                    {
                        self.position += 1
                    }
                    guard self.position < self.scalars.count else {
                        throw JAASConfig.error("the comment starting at character \(start) is not closed")
                    }
                    self.position += 2
                } else {
                    return
                }
            }
        }

        private func peek(_ offset: Int) -> Unicode.Scalar? {
            let index = self.position + offset
            return index < self.scalars.count ? self.scalars[index] : nil
        }
    }
}
