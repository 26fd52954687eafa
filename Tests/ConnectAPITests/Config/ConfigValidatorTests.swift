import ConnectAPI
import Testing

@Suite struct ConfigValidatorTests {
    private func message(_ validator: ConfigValidator, _ value: ParsedConfigValue?) -> String? {
        do {
            try validator.ensureValid(name: "k", value: value)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func range() {
        #expect(message(.atLeast(1), .int(1)) == nil)
        #expect(message(.atLeast(1), .int(0)) == "Invalid value 0 for configuration k: Value must be at least 1")
        #expect(
            message(.between(1, 10), .long(11)) == "Invalid value 11 for configuration k: Value must be no more than 10"
        )
        #expect(
            message(.between(0.5, 1.5), .double(2))
                == "Invalid value 2.0 for configuration k: Value must be no more than 1.5"
        )
        #expect(message(.atLeast(0), nil) == "Invalid value null for configuration k: Value must be non-null")
        #expect(ConfigValidator.atLeast(1).description == "[1,...]")
        #expect(ConfigValidator.between(1, 10).description == "[1,...,10]")
        #expect(ConfigValidator.atLeast(0.5).description == "[0.5,...]")
    }

    @Test func validString() {
        let validator = ConfigValidator.validString(in: ["none", "all"])
        #expect(message(validator, .string("all")) == nil)
        #expect(
            message(validator, .string("ALL"))
                == "Invalid value ALL for configuration k: String must be one of: none, all"
        )
        #expect(message(validator, nil) == "Invalid value null for configuration k: String must be one of: none, all")
        #expect(validator.description == "[none, all]")
    }

    @Test func caseInsensitiveValidString() {
        let validator = ConfigValidator.caseInsensitiveValidString(in: ["requested", "required"])
        #expect(message(validator, .string("REQUIRED")) == nil)
        #expect(
            message(validator, .string("maybe"))
                == "Invalid value maybe for configuration k: String must be one of (case insensitive): REQUESTED, REQUIRED"
        )
        #expect(validator.description == "(case insensitive) [REQUESTED, REQUIRED]")
    }

    @Test func validList() {
        let validator = ConfigValidator.validList(in: ["a", "b"])
        #expect(message(validator, .list(["a", "b", "a"])) == nil)
        #expect(message(validator, .list([])) == nil)
        #expect(
            message(validator, .list(["a", "c"])) == "Invalid value c for configuration k: String must be one of: a, b"
        )
    }

    @Test func nonEmptyAndNonNull() {
        #expect(message(.nonEmptyString, .string("")) == "Invalid value  for configuration k: String must be non-empty")
        #expect(message(.nonEmptyString, nil) == nil)
        #expect(message(.nonNull, nil) == "Invalid value null for configuration k: entry must be non null")
        #expect(message(.nonNull, .string("")) == nil)
        #expect(
            message(.nonEmptyStringWithoutControlChars, .string("a\nb\r"))
                == "Invalid value a\nb\r for configuration k: String may not contain control sequences but had the following ASCII chars: 10, 13"
        )
        #expect(
            message(.nonEmptyStringWithoutControlChars, .string(""))
                == "Invalid value  for configuration k: String may not be empty"
        )
    }

    @Test func listSizeCompositeAndCustom() {
        #expect(
            message(.listSize(atMost: 1), .list(["a", "b"]))
                == "Invalid value [a, b] for configuration k: exceeds maximum list size of [1]."
        )
        let composite = ConfigValidator.composite([.nonNull, .atLeast(5)])
        #expect(message(composite, .int(3)) == "Invalid value 3 for configuration k: Value must be at least 5")
        #expect(composite.description == "non-null string, [5,...]")
        let even = ConfigValidator(description: "even numbers") { name, value throws(ConfigError) in
            if case .int(let number) = value, number % 2 != 0 {
                throw ConfigError(name: name, parsedValue: value, reason: "Value must be even")
            }
        }
        #expect(message(even, .int(3)) == "Invalid value 3 for configuration k: Value must be even")
        #expect(message(even, .int(4)) == nil)
    }
}
