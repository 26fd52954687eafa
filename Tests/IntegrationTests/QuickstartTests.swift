import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The README's main command, `scripts/quickstart`, with the debug build and `--exit`: it starts its
/// own broker and a standalone worker with FileStreamSource -> topic -> FileStreamSink, checks that
/// every line arrives in order and prints the REST status. The script fails if a line is missing.
@Suite(.enabled(if: TestEnvironment.shouldRun, "needs the test broker (scripts/test)"))
struct QuickstartTests {
    @Test func theQuickstartShowsLinesFlowingAndTheRESTStatus() async throws {
        let root = TestEnvironment.repositoryRoot
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("quickstart-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: output) }
        let binary = root.appendingPathComponent(".build/debug/swift-connect").path
        let script = root.appendingPathComponent("scripts/quickstart").path
        // Foundation's Process sometimes never reaps a script whose own children exit at the same
        // moment (seen here: the test hung on a zombie), so spawn and wait with POSIX calls.
        let status = try await Self.run(
            "cd \(Self.quoted(root.path)) && QUICKSTART_CLI=\(Self.quoted(binary)) \(Self.quoted(script)) "
                + "--no-build --exit > \(Self.quoted(output.path)) 2>&1"
        )
        let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(status == 0, "\(log)")
        #expect(log.contains("quickstart: all 20 lines arrived"))
        #expect(log.contains(#""local-file-sink""#))
        #expect(log.contains(#""type": "sink""#))
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Runs `command` with /bin/sh and returns its exit status; the blocking wait runs on its own thread.
    static func run(_ command: String) async throws -> Int32 {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
        defer { for pointer in argv { free(pointer) } }
        let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ)
        guard spawned == 0 else { throw TestFailure("posix_spawn failed: \(spawned)") }
        let child = pid
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(child, &status, 0) == -1 && errno == EINTR {}
                // WIFEXITED / WEXITSTATUS by hand (the C macros are not imported).
                continuation.resume(returning: status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
            }
        }
    }
}
