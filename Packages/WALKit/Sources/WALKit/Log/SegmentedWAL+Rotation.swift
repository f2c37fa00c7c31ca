import MantisCore

extension SegmentedWAL {
    /// Writes whole records of `batch` into the active segment, rotating when the next record
    /// does not fit or the segment is too old. Leader only. Returns the LSN through which sealing
    /// made records durable, if a rotation happened.
    func writeBatch(_ batch: [UInt8]) throws -> LSN? {
        var sealedThrough: LSN?
        let capacity = options.segmentSize
        try batch.withUnsafeBytes { raw in
            var start = 0
            while start < raw.count {
                let firstLSN = LSN(raw.loadLittleEndian(UInt64.self, at: start + 8))
                if let maxAge = options.segmentMaxAge, active.hasRecords, ContinuousClock.now - active.openedAt > maxAge {
                    sealedThrough = try rotate(firstLSN: firstLSN)
                }
                let position = active.alignNext ? WALFormat.positionAfterSync(active.writeOffset, alignment: active.alignment) : active.writeOffset
                let room = capacity - position
                var end = start
                while end < raw.count {
                    let size = WALFormat.recordSize(payloadLength: Int(raw.loadLittleEndian(UInt32.self, at: end + 4)))
                    if Int64(end + size - start) > room { break }
                    end += size
                }
                if end == start {
                    guard active.hasRecords else {
                        throw MantisError(.internalError, "record does not fit in an empty segment", context: ErrorContext(operation: "append", file: active.info.path, lsn: firstLSN.rawValue))
                    }
                    sealedThrough = try rotate(firstLSN: firstLSN)
                    continue
                }
                try active.file.write(UnsafeRawBufferPointer(rebasing: raw[start..<end]), at: position)
                active.alignNext = false
                active.writeOffset = position + Int64(end - start)
                if active.writeOffset > active.fileSize { recordActiveSize(active.writeOffset) }
                start = end
            }
        }
        return sealedThrough
    }

    /// Seals the active segment (truncate to its last record, fsync) and makes a new one the
    /// active segment starting at `firstLSN`. Returns the last LSN of the sealed segment.
    ///
    /// Once sealed, the sealed records are published durable at once, so a failure creating
    /// the next segment fails only the records after them. The new segment's durable prefix
    /// (its synced header) is published before it joins the catalog: a copy of the log taken
    /// meanwhile reads the sealed segment whole and never the new one's unsynced bytes.
    func rotate(firstLSN: LSN) throws -> LSN {
        try active.file.truncate(to: active.writeOffset)
        active.syncing = true
        try active.file.sync()
        active.syncing = false
        recordActiveSize(active.writeOffset)
        let previous = active.info
        state.withLock { state in
            state.durableLSN = max(state.durableLSN, firstLSN.previous)
            state.durableEnd = (previous.path, active.writeOffset)
        }
        let (file, info) = try Self.createSegment(
            firstLSN: firstLSN, previousFirstLSN: previous.firstLSN, directory: directory,
            fileSystem: fileSystem, checksum: checksum, syncAlignment: options.syncAlignment, preparer: preparer
        )
        state.withLock { $0.durableEnd = (info.path, Int64(WALFormat.segmentHeaderSize)) }
        try? active.file.close()
        active.file = file
        active.info = info
        active.writeOffset = Int64(WALFormat.segmentHeaderSize)
        active.openedAt = .now
        active.alignNext = true
        active.alignment = options.syncAlignment
        active.fileSize = info.size
        catalog.withLock { $0.append(info) }
        logger.info("rotated write-ahead log segment", metadata: ["sealed": "\(previous.path)", "new": "\(info.path)", "first_lsn": "\(firstLSN)"])
        if options.prepareSegmentsAhead { preparer.prepareAhead() }
        return firstLSN.previous
    }

    /// Turns a prepared file into the segment starting at `firstLSN`: header written and synced,
    /// renamed into place, directory fsynced (DESIGN.md rule 3). Returns it open for writing.
    static func createSegment(
        firstLSN: LSN,
        previousFirstLSN: LSN,
        directory: String,
        fileSystem: any FileSystem,
        checksum: any ChecksumAlgorithm,
        syncAlignment: Int,
        preparer: SegmentPreparer
    ) throws -> (any StorageFile, SegmentInfo) {
        let prepared = try preparer.take()
        let header = SegmentHeader(
            firstLSN: firstLSN, createdAtNanoseconds: WallClock.nanosecondsSinceEpoch(),
            previousFirstLSN: previousFirstLSN, checksumIdentifier: checksum.identifier, syncAlignment: syncAlignment
        )
        let file = try fileSystem.openFile(prepared, options: .readWrite)
        do {
            try file.write(header.encoded(), at: 0)
            try file.syncData()
            try file.close()
        } catch {
            try? file.close()
            throw error
        }
        let path = Path.join(directory, WALFormat.segmentName(firstLSN: firstLSN))
        try fileSystem.rename(prepared, to: path)
        try fileSystem.syncDirectory(directory)
        let segment = try fileSystem.openFile(path, options: .readWrite)
        do {
            return (segment, SegmentInfo(firstLSN: firstLSN, path: path, size: try segment.size()))
        } catch {
            try? segment.close()
            throw error
        }
    }

    /// The active segment's file is now `size` bytes (grown by a write, or truncated when
    /// sealed): recorded in the catalog for `status`. Leader only.
    func recordActiveSize(_ size: Int64) {
        active.fileSize = size
        catalog.withLock { segments in segments[segments.count - 1].size = size }
    }

    /// Seals the active segment (everything in it synced, file truncated to its last record) and
    /// starts a new one, so the old segment can be covered by a checkpoint and removed. Used to
    /// stop depending on an active segment the scrubber found damaged. Returns once sealed.
    public func sealActiveSegment() async throws {
        let target = try state.withLock { state -> UInt64 in
            try Self.checkOpen(state)
            state.sealRequested = true
            return state.sealGeneration + 1
        }
        while state.withLock({ $0.sealGeneration }) < target {
            let lead = try state.withLock { state -> Bool in
                if let failure = state.failure { throw failure }
                guard !state.ioActive else { return false }
                state.ioActive = true
                return true
            }
            if lead {
                if try leadRound(syncRequested: true, byCaller: true) { leadOnLeaderThread() }
            } else {
                try await Task.sleep(for: .milliseconds(1))
            }
        }
    }
}
