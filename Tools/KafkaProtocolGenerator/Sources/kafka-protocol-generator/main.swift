import Foundation
import KafkaProtocolGeneratorCore

// kafka-protocol-generator --specs DIR --out DIR --tests-out DIR

let usage = "usage: kafka-protocol-generator --specs DIR --out DIR --tests-out DIR"

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(1)
}

var options: [String: String] = [:]
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--specs", "--out", "--tests-out":
        guard let value = arguments.popFirst() else { fail("\(argument) needs a value\n\(usage)") }
        options[argument] = value
    case "-h", "--help":
        print(usage)
        exit(0)
    default:
        fail("unknown argument \(argument)\n\(usage)")
    }
}
guard let specs = options["--specs"], let out = options["--out"], let testsOut = options["--tests-out"] else {
    fail(usage)
}

do {
    let output = try ProtocolGenerator.generate(specsDirectory: URL(fileURLWithPath: specs))
    try ProtocolGenerator.write(output.sources, to: URL(fileURLWithPath: out))
    try ProtocolGenerator.write(output.tests, to: URL(fileURLWithPath: testsOut))
    print("Generated \(output.sources.count) files in \(out) and \(output.tests.count) in \(testsOut).")
} catch {
    fail("error: \(error)")
}
