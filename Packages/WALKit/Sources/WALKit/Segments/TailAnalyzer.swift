import MantisCore

/// Decides what the bytes after the last valid record of the *last* segment are.
///
/// - Only zeroes: a clean end of log.
/// - Garbage, or valid-looking records that were written before the damaged position was
///   durable (their sync lag says so): a **torn tail** from a crash mid-write, to be cut.
/// - A valid record written *after* the damaged position was already durable: the damage hit
///   synced data, so it is **corruption**, never cut silently.
struct TailAnalyzer {
    enum Verdict: Equatable {
        case clean
        /// Bytes `[offset, offset + length)` are the torn tail.
        case torn(offset: Int64, length: Int64, reason: String)
        case corruption(offset: Int64, reason: String)
    }

    let file: any StorageFile
    let fileSize: Int64
    let checksum: any ChecksumAlgorithm
    let maximumPayload: Int

    /// Analyses the file from `offset`, where reading stopped expecting `expectedLSN`.
    func analyze(stop: SegmentReader.Stop, expectedLSN: LSN) throws -> Verdict {
        if case .damagedGap(let offset, let reason) = stop { return .corruption(offset: offset, reason: reason) }
        let start = stop.offset
        let window = FileWindow(file: file, fileSize: fileSize)
        var lastNonZeroEnd = start
        var firstNonZero: Int64?
        var candidate = start
        while candidate < fileSize {
            let available = fileSize - candidate
            if available < 8 {
                let rest = try window.view(at: candidate, count: Int(available))
                if rest.contains(where: { $0 != 0 }) {
                    lastNonZeroEnd = fileSize
                    firstNonZero = firstNonZero ?? candidate
                }
                break
            }
            let word = try window.view(at: candidate, count: 8).loadUnaligned(as: UInt64.self)
            if word != 0 {
                lastNonZeroEnd = candidate + 8
                firstNonZero = firstNonZero ?? candidate
                if let evidence = try validRecord(at: candidate, window: window, expectedLSN: expectedLSN),
                   evidence.durableLSNAtWrite >= expectedLSN {
                    return .corruption(
                        offset: start,
                        reason: describe(stop) + "; but the valid record LSN \(evidence.lsn) at offset \(candidate) was written after LSN \(evidence.durableLSNAtWrite) was durable, so the damage is in synced data"
                    )
                }
            }
            candidate += 8
        }
        guard let firstNonZero else { return .clean }
        // Zeroes in front of the damage are just the end of the log: the cut starts at the
        // damaged record, or at the first non-zero byte after a zeroed header.
        let cut = stop == .zeroHeader(offset: start) ? firstNonZero : start
        return .torn(offset: cut, length: lastNonZeroEnd - cut, reason: describe(stop))
    }

    private func describe(_ stop: SegmentReader.Stop) -> String {
        switch stop {
        case .damaged(_, let reason), .damagedGap(_, let reason): reason
        case .zeroHeader: "zeroed record header followed by non-zero bytes"
        case .endOfFile: "end of file"
        }
    }

    /// The header at `offset` if a whole, checksum-valid record with a plausible LSN starts there.
    private func validRecord(at offset: Int64, window: FileWindow, expectedLSN: LSN) throws -> RecordHeader? {
        guard fileSize - offset >= Int64(WALFormat.recordHeaderSize) else { return nil }
        let header = RecordHeader.load(from: try window.view(at: offset, count: WALFormat.recordHeaderSize), at: 0)
        guard header.hasPlausibleFields,
              header.lsn >= expectedLSN,
              header.payloadLength <= maximumPayload,
              Int64(header.recordSize) <= fileSize - offset
        else { return nil }
        let raw = try window.view(at: offset, count: header.recordSize)
        guard checksum.checksum(UnsafeRawBufferPointer(rebasing: raw[4...])) == header.checksum else { return nil }
        return header
    }
}
