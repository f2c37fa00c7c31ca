#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Where log lines go. Implementations write one whole line per call, atomically with respect
/// to other lines (no interleaving).
public protocol LogOutput: Sendable {
    func write(line: String)
}

/// Writes lines to a file descriptor (standard error by default) with `write(2)`, one call per
/// line under a lock, retrying short writes and `EINTR`. Never buffered: a line is in the kernel
/// before `write` returns, so the last lines before a crash are not lost.
public final class FileDescriptorLogOutput: LogOutput, Sendable {
    public let descriptor: Int32
    private let lock = Mutex<Void>(())

    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    public static let standardError = FileDescriptorLogOutput(descriptor: 2)
    public static let standardOutput = FileDescriptorLogOutput(descriptor: 1)

    public func write(line: String) {
        var bytes = Array(line.utf8)
        if bytes.last != 0x0A { bytes.append(0x0A) }
        lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }
}

/// Keeps lines in memory (tests).
public final class MemoryLogOutput: LogOutput, Sendable {
    private let stored = Mutex<[String]>([])

    public init() {}

    public func write(line: String) {
        stored.withLock { $0.append(line) }
    }

    public var lines: [String] { stored.withLock { $0 } }
}

@inline(__always)
private func systemWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, pointer, count)
    #else
    Darwin.write(fd, pointer, count)
    #endif
}
