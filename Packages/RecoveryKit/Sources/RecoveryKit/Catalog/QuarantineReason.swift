import MantisCore

/// Why a file is quarantined, as written to its `<name>.reason.json` report.
public struct QuarantineReason: Sendable, Hashable {
    /// What was wrong, in words.
    public var message: String
    /// How the damage was found (`"recovery"`, `"verify"`, `"scrub"`, an operator command…).
    public var detectedBy: String
    /// The error code, if an error found it (`corruption`, `unsupported_format`…).
    public var code: String?
    /// The byte offset of the damaged structure, if known.
    public var offset: Int64?

    public init(_ message: String, detectedBy: String, code: String? = nil, offset: Int64? = nil) {
        self.message = message
        self.detectedBy = detectedBy
        self.code = code
        self.offset = offset
    }

    /// The reason an error gives: its message (and cause), code and offset.
    public init(error: MantisError, detectedBy: String) {
        var message = error.message
        if let cause = error.cause { message += "; caused by: \(cause)" }
        self.init(message, detectedBy: detectedBy, code: error.code.rawValue, offset: error.context.offset)
    }
}
