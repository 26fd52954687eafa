import ConnectAPI
import Testing

@Suite struct PasswordTests {
    let secret = "correct horse battery staple"

    @Test func neverPrintsTheSecret() {
        let password = Password(secret)
        var dumped = ""
        dump(password, to: &dumped)
        var dumpedValue = ""
        dump(ParsedConfigValue.password(password), to: &dumpedValue)
        let renderings = [
            "\(password)",
            String(describing: password),
            String(reflecting: password),
            dumped,
            "\(ParsedConfigValue.password(password))",
            String(reflecting: ParsedConfigValue.password(password)),
            dumpedValue,
            ConfigValue(name: "pw", value: .password(password)).description,
            ConfigError(name: "pw", parsedValue: .password(password), reason: "bad").message,
        ]
        for rendering in renderings {
            #expect(!rendering.contains(secret), "leaked in: \(rendering)")
        }
        #expect("\(password)" == "[hidden]")
        #expect(Mirror(reflecting: password).children.isEmpty)
        #expect(password.value == secret)
    }

    @Test func parsedPasswordsAreHiddenInValidationResults() throws {
        let definition = ConfigDef([ConfigKey("pw", type: .password, importance: .high, documentation: nil)])
        let value = try #require(definition.validate(["pw": secret]).first)
        #expect(value.value == .password(Password(secret)))
        #expect(ConfigValueInfo(value).value == "[hidden]")
    }
}
