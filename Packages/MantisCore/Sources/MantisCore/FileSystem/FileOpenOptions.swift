/// How to open a file. The empty set opens an existing file read-only.
public struct FileOpenOptions: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Open for writing as well as reading.
    public static let write = FileOpenOptions(rawValue: 1 << 0)
    /// Create the file (mode 0600) if it does not exist.
    public static let create = FileOpenOptions(rawValue: 1 << 1)
    /// With `.create`: fail with `alreadyExists` if the file exists.
    public static let exclusive = FileOpenOptions(rawValue: 1 << 2)
    /// Truncate to zero length on open.
    public static let truncate = FileOpenOptions(rawValue: 1 << 3)

    public static let readOnly: FileOpenOptions = []
    public static let readWrite: FileOpenOptions = [.write]
    /// Create a new file that must not exist yet.
    public static let createNew: FileOpenOptions = [.write, .create, .exclusive]
}
