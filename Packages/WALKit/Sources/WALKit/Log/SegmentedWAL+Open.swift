import MantisCore

extension SegmentedWAL {
    /// Opens (or creates) the log in `directory`.
    ///
    /// Checks every segment header and the chain of segments (a missing segment is corruption),
    /// then reads the last segment to its last valid record. A torn tail there is cut (the cut
    /// bytes kept as `<segment>.broken`, logged) unless `options.repairTornTail` is false; any
    /// other damage throws `corruption` naming the file and offset. Everything found is made
    /// durable before this returns, and the next LSN continues after the last valid record.
    /// If that sync fails, a `tail-unsynced` marker makes the next open rewrite and sync the
    /// tail before trusting it; a `sync-failed` marker left by a running log is applied first.
    public static func open(
        directory: String,
        fileSystem: any FileSystem,
        checksum: any ChecksumAlgorithm,
        options: SegmentedWALOptions = SegmentedWALOptions()
    ) throws -> SegmentedWAL {
        guard options.segmentSize >= Int64(WALFormat.segmentHeaderSize + 4096) else {
            throw MantisError(.invalidConfiguration, "segment size \(options.segmentSize) is too small (at least \(WALFormat.segmentHeaderSize + 4096) bytes)")
        }
        let alignment = options.syncAlignment
        guard alignment >= WALFormat.recordAlignment, alignment <= WALFormat.maximumSyncAlignment, alignment & (alignment - 1) == 0,
              Int64(alignment) * 4 <= options.segmentSize else {
            throw MantisError(.invalidConfiguration, "sync alignment \(alignment) must be a power of two between \(WALFormat.recordAlignment) and \(WALFormat.maximumSyncAlignment), at most a quarter of the segment size")
        }
        try fileSystem.createDirectory(directory)
        var report = WALOpenReport()
        let names = try fileSystem.contentsOfDirectory(directory)
        for name in names where (name.hasPrefix(WALFormat.preparedPrefix) && name.hasSuffix(WALFormat.preparedSuffix))
            || (name.hasPrefix("wal-") && name.hasSuffix(WALFormat.removingSuffix)) {
            try fileSystem.removeItem(Path.join(directory, name))
            report.removedTemporaryFiles.append(name)
            options.logger.notice("removed a stale file from the log directory (a spare segment never used, or a trimmed segment whose deletion was cut short)",
                                  metadata: ["file": "\(Path.join(directory, name))"])
        }
        var segments = try names.compactMap { name in
            try WALFormat.firstLSN(ofSegmentNamed: name).map { lsn in
                let path = Path.join(directory, name)
                return SegmentInfo(firstLSN: lsn, path: path, size: try fileSystem.fileSize(path))
            }
        }.sorted { $0.firstLSN < $1.firstLSN }
        try checkChain(segments, fileSystem: fileSystem)
        let checksums = ChecksumSet(primary: checksum, additional: options.additionalChecksums)
        if names.contains(UnsyncedTailMarker.fileName) {
            report.segmentsRewrittenAfterFailedSync = try rewriteUnsyncedTail(segments, directory: directory, fileSystem: fileSystem, options: options)
        }
        if names.contains(SyncFailureMarker.fileName) {
            segments = try cutBackAfterSyncFailure(segments, directory: directory, fileSystem: fileSystem, checksums: checksums, options: options, report: &report)
        }
        report.segmentCount = segments.count

        let preparer = SegmentPreparer(directory: directory, fileSystem: fileSystem, size: options.segmentSize, zeroFill: options.zeroFillSegments)
        let active: ActiveSegment
        let nextLSN: LSN
        if let last = segments.last {
            let scan = try SegmentScanner.scan(last.path, isLast: true, fileSystem: fileSystem, checksums: checksums)
            report.bytesScanned = scan.bytesRead
            if let finding = scan.finding {
                guard case let .tornTail(file, offset, length, reason) = finding, options.repairTornTail else { throw finding.error }
                let broken = try cutTornTail(file: file, offset: offset, length: length, fileSystem: fileSystem, options: options)
                report.repairs.append(finding)
                report.brokenFiles.append(broken)
                options.logger.warning("cut torn tail of the write-ahead log", metadata: [
                    "file": "\(file)", "offset": "\(offset)", "length": "\(length)", "reason": "\(reason)", "kept_in": "\(broken)",
                ])
            }
            nextLSN = scan.lastLSN.next
            if scan.header.checksumIdentifier != checksum.identifier {
                // Records are checksummed as they are enqueued, with the configured algorithm:
                // they go only into segments whose header names it.
                let (file, info) = try startSegmentForChecksum(after: last, scan: scan, directory: directory, fileSystem: fileSystem,
                                                               checksum: checksum, options: options, preparer: preparer)
                segments.removeLast()
                if scan.recordCount > 0 { segments.append(SegmentInfo(firstLSN: last.firstLSN, path: last.path, size: scan.endOffset)) }
                segments.append(info)
                report.segmentCount = segments.count
                active = ActiveSegment(file: file, info: info, writeOffset: Int64(WALFormat.segmentHeaderSize), alignment: options.syncAlignment)
            } else {
                let file = try fileSystem.openFile(last.path, options: .readWrite)
                try syncTailOrLeaveMarker(file, path: last.path, fileSystem: fileSystem, options: options)
                active = ActiveSegment(file: file, info: last, writeOffset: scan.endOffset, alignment: scan.header.syncAlignment)
            }
        } else {
            let (file, info) = try createSegment(
                firstLSN: options.firstLSN, previousFirstLSN: .zero, directory: directory,
                fileSystem: fileSystem, checksum: checksum, syncAlignment: options.syncAlignment, preparer: preparer
            )
            active = ActiveSegment(file: file, info: info, writeOffset: Int64(WALFormat.segmentHeaderSize), alignment: options.syncAlignment)
            nextLSN = options.firstLSN
            report.createdNewLog = true
            report.segmentCount = 1
        }
        // A crashed writer may have created the last segment without its directory fsync: make
        // the log's names durable before appending to what they name.
        try fileSystem.syncDirectory(directory)
        report.lastLSN = nextLSN.previous
        if options.prepareSegmentsAhead { preparer.prepareAhead() }
        let wal = SegmentedWAL(
            directory: directory, fileSystem: fileSystem, checksum: checksum, options: options,
            active: active, segments: segments.isEmpty ? [active.info] : segments,
            preparer: preparer, nextLSN: nextLSN, report: report
        )
        wal.startFlusher()
        return wal
    }

    /// The last segment was written with another checksum algorithm: seals it (truncated to its
    /// last record, fsynced) and starts the next segment under `checksum`. An empty one is
    /// replaced by a new one of the same name (renamed over it). Returns the new segment, open.
    static func startSegmentForChecksum(
        after last: SegmentInfo, scan: SegmentScan, directory: String, fileSystem: any FileSystem,
        checksum: any ChecksumAlgorithm, options: SegmentedWALOptions, preparer: SegmentPreparer
    ) throws -> (any StorageFile, SegmentInfo) {
        let empty = scan.recordCount == 0
        if !empty {
            let file = try fileSystem.openFile(last.path, options: .readWrite)
            defer { try? file.close() }
            try file.truncate(to: scan.endOffset)
            try syncTailOrLeaveMarker(file, path: last.path, fileSystem: fileSystem, options: options, metadata: true)
        }
        options.logger.notice("the log's last segment uses another checksum than the configured one: started a new segment for new records", metadata: [
            "segment": "\(last.path)", "checksum_identifier": "\(scan.header.checksumIdentifier)", "configured": "\(checksum.name)",
        ])
        return try createSegment(
            firstLSN: scan.lastLSN.next, previousFirstLSN: empty ? scan.header.previousFirstLSN : last.firstLSN, directory: directory,
            fileSystem: fileSystem, checksum: checksum, syncAlignment: options.syncAlignment, preparer: preparer
        )
    }

    /// Every segment header verifies, names agree with headers, and each segment names its
    /// predecessor: a removed middle segment or a foreign file breaks the chain.
    static func checkChain(_ segments: [SegmentInfo], fileSystem: any FileSystem) throws {
        var previous: SegmentHeader?
        for segment in segments {
            let header = try SegmentScanner.readHeader(segment.path, fileSystem: fileSystem)
            guard header.firstLSN == segment.firstLSN else {
                throw MantisError(.corruption, "segment header says first LSN \(header.firstLSN) but the file name says \(segment.firstLSN)", context: ErrorContext(operation: "open wal", file: segment.path, offset: 16))
            }
            if let previous, header.previousFirstLSN != previous.firstLSN {
                throw MantisError(.corruption, "segment follows the one starting at LSN \(header.previousFirstLSN), but the previous segment on disk starts at LSN \(previous.firstLSN): a segment is missing", context: ErrorContext(operation: "open wal", file: segment.path, offset: 32))
            }
            previous = header
        }
    }

    /// Keeps the torn bytes in `<segment>.broken` (written atomically), then zeroes them in the
    /// segment and syncs it (`syncTailOrLeaveMarker`). Returns the `.broken` file's path. Works
    /// in 1 MiB pieces: a cut after a failed sync can be most of a segment.
    static func cutTornTail(file path: String, offset: Int64, length: Int64, fileSystem: any FileSystem, options: SegmentedWALOptions) throws -> String {
        let file = try fileSystem.openFile(path, options: .readWrite)
        defer { try? file.close() }
        let chunk: Int64 = 1 << 20
        let broken = uniqueBrokenPath(for: path, fileSystem: fileSystem)
        var copied: Int64 = 0  // less than `length` if the file ends first: cut what there is
        try fileSystem.writeFileAtomically(broken) { copy in
            copied = try file.forEachPiece(from: offset, length: length) { piece, at in try copy.write(piece, at: at - offset) }
        }
        let zeros = [UInt8](repeating: 0, count: Int(min(chunk, copied)))
        var zeroed: Int64 = 0
        while zeroed < copied {
            let count = Int(min(chunk, copied - zeroed))
            try zeros.withUnsafeBytes { try file.write(UnsafeRawBufferPointer(rebasing: $0[..<count]), at: offset + zeroed) }
            zeroed += Int64(count)
        }
        try syncTailOrLeaveMarker(file, path: path, fileSystem: fileSystem, options: options)
        return broken
    }
}
