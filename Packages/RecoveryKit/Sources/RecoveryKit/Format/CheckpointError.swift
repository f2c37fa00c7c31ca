import MantisCore

/// Builds the errors checkpoint code throws, so every one names the file and the byte offset of
/// the structure at fault.
enum CheckpointError {
    static func corruption(
        _ message: String, file: String, offset: Int64, operation: String = "read checkpoint",
        metadata: [String: String] = [:], cause: (any Error & Sendable)? = nil
    ) -> MantisError {
        MantisError(.corruption, message,
                    context: ErrorContext(operation: operation, file: file, offset: offset, metadata: metadata), cause: cause)
    }

    static func unsupported(_ message: String, file: String, offset: Int64) -> MantisError {
        MantisError(.unsupportedFormat, message, context: ErrorContext(operation: "open checkpoint", file: file, offset: offset))
    }

    static func hex(_ value: some FixedWidthInteger & UnsignedInteger) -> String {
        "0x" + String(value, radix: 16)
    }
}
