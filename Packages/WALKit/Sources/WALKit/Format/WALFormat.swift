import MantisCore

/// The on-disk layout of WAL segments (documented byte by byte in Docs/formats.md).
///
/// A segment is a 64-byte header followed by records, each aligned to 8 bytes. The space after
/// the last record is zero (segments are zero-filled ahead of use), and an all-zero record header
/// reads as end-of-log. A sealed (no longer active) segment is truncated to its last record.
public enum WALFormat {
    /// "MANTISWL" little-endian.
    public static let segmentMagic: UInt64 = 0x4C57_5349_544E_414D
    public static let formatVersion: UInt32 = 1
    public static let segmentHeaderSize = 64
    public static let recordHeaderSize = 32
    public static let recordAlignment = 8
    /// The hard ceiling on a record payload, whatever the options say.
    public static let maximumPayloadSize = 64 << 20
    public static let maximumSyncAlignment = 1 << 20

    /// `offset` rounded up to a multiple of `alignment` (a power of two).
    @inlinable
    public static func alignUp(_ offset: Int64, to alignment: Int) -> Int64 {
        (offset + Int64(alignment) - 1) & ~(Int64(alignment) - 1)
    }

    /// The bytes a record with `payloadLength` bytes of payload occupies on disk.
    @inlinable
    public static func recordSize(payloadLength: Int) -> Int {
        (recordHeaderSize + payloadLength + recordAlignment - 1) & ~(recordAlignment - 1)
    }

    /// Where the writer continues after a sync that ended at `offset`: the next multiple of
    /// `alignment`, and one more if the zero gap would be shorter than a record header (so the
    /// gap always reads as a zero header). The reader skips the same gap the same way.
    @inlinable
    public static func positionAfterSync(_ offset: Int64, alignment: Int) -> Int64 {
        var next = alignUp(offset, to: alignment)
        if next != offset && next - offset < Int64(recordHeaderSize) { next += Int64(alignment) }
        return next
    }

    /// `wal-<first LSN as 16 hex digits>.log`: names sort in LSN order.
    public static func segmentName(firstLSN: LSN) -> String {
        let hex = String(firstLSN.rawValue, radix: 16)
        return "wal-" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex + ".log"
    }

    /// The first LSN encoded in a segment file name, or nil if `name` is not a segment's.
    public static func firstLSN(ofSegmentNamed name: String) -> LSN? {
        guard name.hasPrefix("wal-"), name.hasSuffix(".log") else { return nil }
        let hex = name.dropFirst(4).dropLast(4)
        guard hex.count == 16, let value = UInt64(hex, radix: 16) else { return nil }
        return LSN(value)
    }

    /// True if `directory` is a directory holding at least one segment file (false if it is
    /// missing or not a directory). Throws if it cannot be listed.
    public static func holdsSegments(_ directory: String, fileSystem: any FileSystem) throws -> Bool {
        guard fileSystem.isDirectory(directory) else { return false }
        return try fileSystem.contentsOfDirectory(directory).contains { firstLSN(ofSegmentNamed: $0) != nil }
    }

    /// Temporary files holding zero-filled segments prepared ahead of use.
    static let preparedPrefix = "wal-prepared-"
    static let preparedSuffix = ".tmp"
    /// Appended to a trimmed segment's name while it is taken apart (`FileSystem.retire`).
    static let removingSuffix = RemovalPacing.retiredSuffix
}
