import MantisCore

/// Errors of the model, shaped exactly like `PosixFileSystem`'s: same codes for the same errno,
/// same operation names, `ErrorContext` filled.
extension TestingSyscall {
    /// The same mapping as MantisCore's `Syscall.code(for:operation:)`.
    static func code(for errnoValue: Int32, operation: String) -> MantisError.Code {
        if operation == "fsync" || operation == "fdatasync" {
            return errnoValue == noSpace ? .diskFull : .syncFailed
        }
        switch errnoValue {
        case noSpace, quota: return .diskFull
        case noEntry, notDirectory: return .notFound
        case exists: return .alreadyExists
        case access, permission, readOnlyFileSystem: return .permissionDenied
        case invalid: return .invalidArgument
        default: return .ioError
        }
    }

    static func error(
        _ operation: String, path: String, errno code: Int32, offset: Int64? = nil, injected: Bool = false
    ) -> MantisError {
        let text = describe(code)
        var context = ErrorContext(operation: operation, file: path, offset: offset, errno: code)
        if injected { context.metadata["injected"] = "true" }
        let message = injected ? "injected fault: \(operation) failed: \(text)" : "\(operation) failed: \(text)"
        return MantisError(Self.code(for: code, operation: operation), message, context: context)
    }

    /// The POSIX call name an operation reports in errors.
    static func operationName(_ operation: FaultOperation, dataOnly: Bool = false) -> String {
        switch operation {
        case .open: "open"
        case .read: "pread"
        case .write: "pwrite"
        case .sync: dataOnly ? "fdatasync" : "fsync"
        case .directorySync: "fsync"
        case .rename: "rename"
        case .remove: "remove"
        case .truncate: "ftruncate"
        case .preallocate: "fallocate"
        case .list: "opendir"
        }
    }
}
