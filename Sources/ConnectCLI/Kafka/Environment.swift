import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func environment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    let string = String(cString: value)
    return string.isEmpty ? nil : string
}

/// Writes all of `string` to a file descriptor (callers batch their output).
private func writeAll(_ string: String, to descriptor: Int32) {
    var string = string
    string.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written <= 0 {
                if written < 0 && errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}

func writeStandardOutput(_ string: String) {
    writeAll(string, to: 1)
}

func writeStandardError(_ string: String) {
    writeAll(string, to: 2)
}

/// Seconds on a monotonic clock.
func monotonicSeconds() -> Double {
    // DispatchTime rather than clock_gettime: with Hummingbird linked in, `timespec` resolves to a
    // second declaration (CDispatch's) that this file cannot see.
    Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}
