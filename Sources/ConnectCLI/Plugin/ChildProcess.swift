import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `swift build` and friends for the plugin commands: posix_spawn and a blocking waitpid, with
/// the child's output either passed through (the user watches a long build) or captured in a
/// temporary file. (Foundation's Process was seen never reaping a child whose own children exit at
/// the same moment, which `swift build` does.)
enum ChildProcess {
    struct Result {
        var status: Int32
        /// Standard output, when captured.
        var output: String
    }

    /// Runs `arguments[0]` (looked up in PATH) in `directory`.
    /// - Parameters:
    ///   - capture: Capture standard output (standard error still goes to ours).
    ///   - quiet: Discard standard error, and standard output unless captured (tests).
    /// - Throws: ``PluginAuthoringError`` if the program cannot be started.
    static func run(
        _ arguments: [String],
        in directory: String,
        capture: Bool = false,
        quiet: Bool = false
    ) throws -> Result {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The child changes directory itself: posix_spawn_file_actions_addchdir_np is not everywhere.
        let command = "cd \(shellQuoted(directory)) && exec " + arguments.map(shellQuoted).joined(separator: " ")
        let outputFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("swift-connect-\(UUID().uuidString).out").path
        if capture {
            posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        } else if quiet {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        if quiet { posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }
        defer { if capture { try? FileManager.default.removeItem(atPath: outputFile) } }
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
        defer { for pointer in argv { free(pointer) } }
        fflush(nil)  // flush every stream: what we printed comes before the child's output
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw PluginAuthoringError(
                "Cannot start \(arguments.joined(separator: " ")): \(String(cString: strerror(spawned)))"
            )
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS by hand (the C macros are not imported); 128 + signal otherwise.
        let exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let output = capture ? ((try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? "") : ""
        return Result(status: exitStatus, output: output)
    }

    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
