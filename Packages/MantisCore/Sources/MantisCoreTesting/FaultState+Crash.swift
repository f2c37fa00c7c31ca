import MantisCore

extension FaultState {
    mutating func crash(_ mode: CrashMode) -> CrashReport {
        let before = currentFiles().map { (path: $0.path, bytes: files[$0.node]!.current) }
        let reverted = mode == .processCrash ? 0 : unsyncedEntryCount()
        for id in directories.keys.sorted() {
            if mode == .processCrash {
                directories[id]!.durableEntries = directories[id]!.entries
            } else {
                directories[id]!.entries = directories[id]!.durableEntries
            }
        }
        openHandles.removeAll()
        let survivors = rebuildNamespace()

        var images: [NodeID: [UInt8]] = [:]
        var outcomes: [NodeID: CrashReport.FileOutcome] = [:]
        var garbleCandidates: [(node: NodeID, sector: Int)] = []
        for node in survivors {
            let file = files[node]!
            var outcome = CrashReport.FileOutcome(
                path: currentPath(of: node) ?? "?", unsyncedChanges: file.pending.count, changesApplied: 0,
                tornAt: nil, newSectors: [], oldSectors: [], garbageSectors: [],
                sizeBefore: Int64(file.current.count), sizeAfter: 0)
            let image: [UInt8]
            switch mode {
            case .processCrash:
                image = file.current
                outcome.changesApplied = file.pending.count
            case .dropUnsynced:
                image = file.durable
            case .tornPrefix:
                image = tornImage(file, &outcome)
            case .garbleUnsynced:
                image = garbledImage(file, &outcome)
                for sector in (outcome.newSectors + outcome.oldSectors).sorted() { garbleCandidates.append((node, Int(sector))) }
            }
            outcome.sizeAfter = Int64(image.count)
            images[node] = image
            if !file.pending.isEmpty || file.current != file.durable { outcomes[node] = outcome }
        }
        if mode == .garbleUnsynced && !garbleCandidates.isEmpty && outcomes.values.allSatisfy({ $0.garbageSectors.isEmpty }) {
            // At least one sector of a garbling crash is garbage.
            let (node, sector) = garbleCandidates[crashRandom.below(garbleCandidates.count)]
            let file = files[node]!
            garble(sector: sector, of: &images[node]!, new: PendingChange.image(file.durable, applying: file.pending), old: file.durable)
            outcomes[node]!.newSectors.removeAll { $0 == Int64(sector) }
            outcomes[node]!.oldSectors.removeAll { $0 == Int64(sector) }
            outcomes[node]!.garbageSectors = [Int64(sector)]
        }
        for node in survivors {
            files[node]!.current = images[node]!
            // A process crash leaves the kernel's page cache: unsynced writes are flushed later,
            // but pages a failed sync dropped ("fsyncgate") still read back and never reach disk.
            files[node]!.durable = mode == .processCrash
                ? PendingChange.image(files[node]!.durable, applying: files[node]!.pending)
                : images[node]!
            files[node]!.pending = []
            files[node]!.openHandles = 0
        }
        generation += 1
        collectGarbage()
        return report(mode, before: before, outcomes: outcomes, reverted: reverted)
    }

    /// Directory entries whose current state differs from their durable state.
    private func unsyncedEntryCount() -> Int {
        var count = 0
        for directory in directories.values {
            let names = Set(directory.entries.keys).union(directory.durableEntries.keys)
            count += names.filter { directory.entries[$0] != directory.durableEntries[$0] }.count
        }
        return count
    }

    /// Re-links the tree from the root after the namespace changed wholesale; returns the files
    /// reachable, in path order. A file reachable twice (a cross-directory rename synced on one
    /// side only) is split into two copies; a directory reachable twice keeps its first place.
    private mutating func rebuildNamespace() -> [NodeID] {
        for id in files.keys { files[id]!.parent = nil }
        for id in directories.keys where id != root { directories[id]!.parent = nil }
        var seen: Set<NodeID> = [root]
        var survivors: [NodeID] = []
        func visit(_ directory: NodeID) {
            for (name, child) in directories[directory]!.entries.sorted(by: { $0.key < $1.key }) {
                if seen.insert(child).inserted {
                    if files[child] != nil {
                        files[child]!.parent = directory
                        files[child]!.name = name
                        survivors.append(child)
                    } else {
                        directories[child]!.parent = directory
                        directories[child]!.name = name
                        visit(child)
                    }
                } else if var copy = files[child] {
                    let clone = newNode()
                    copy.parent = directory
                    copy.name = name
                    files[clone] = copy
                    directories[directory]!.entries[name] = clone
                    directories[directory]!.durableEntries[name] = clone
                    survivors.append(clone)
                } else {
                    directories[directory]!.entries[name] = nil
                    directories[directory]!.durableEntries[name] = nil
                }
            }
        }
        visit(root)
        return survivors
    }

    /// `.tornPrefix`: durable content plus a random prefix of the pending changes, the last
    /// write of which is cut at a sector boundary.
    private mutating func tornImage(_ file: FileNode, _ outcome: inout CrashReport.FileOutcome) -> [UInt8] {
        var image = file.durable
        let applied = crashRandom.below(file.pending.count + 1)
        outcome.changesApplied = applied
        guard applied > 0 else { return image }
        for change in file.pending.prefix(applied - 1) { change.apply(to: &image) }
        let last = file.pending[applied - 1]
        guard case .write(let offset, let bytes) = last else {
            last.apply(to: &image)
            return image
        }
        let cuts = Self.sectorCuts(offset: offset, length: bytes.count, includingEnd: true).dropFirst()
        let end = cuts[cuts.startIndex + crashRandom.below(cuts.count)]
        PendingChange.write(bytes[..<(end - offset)], at: offset, into: &image)
        if end < offset + bytes.count { outcome.tornAt = Int64(end) }
        return image
    }

    /// `.garbleUnsynced`: every sector touched by a pending write is new, old or garbage.
    private mutating func garbledImage(_ file: FileNode, _ outcome: inout CrashReport.FileOutcome) -> [UInt8] {
        let new = PendingChange.image(file.durable, applying: file.pending)
        var touched: Set<Int> = []
        for case .write(let offset, let bytes) in file.pending where !bytes.isEmpty {
            for sector in (offset / Self.sectorSize)...((offset + bytes.count - 1) / Self.sectorSize)
            where sector * Self.sectorSize < new.count {
                touched.insert(sector)
            }
        }
        var image = new
        outcome.changesApplied = file.pending.count
        for sector in touched.sorted() {
            switch crashRandom.below(3) {
            case 0:
                outcome.newSectors.append(Int64(sector))
            case 1:
                let range = Self.sectorRange(sector, size: image.count)
                for index in range { image[index] = index < file.durable.count ? file.durable[index] : 0 }
                outcome.oldSectors.append(Int64(sector))
            default:
                garble(sector: sector, of: &image, new: new, old: file.durable)
                outcome.garbageSectors.append(Int64(sector))
            }
        }
        return image
    }

    static func sectorRange(_ sector: Int, size: Int) -> Range<Int> {
        (sector * sectorSize)..<min((sector + 1) * sectorSize, size)
    }

    /// Fills a sector with random bytes that differ from both its new and its old content.
    private mutating func garble(sector: Int, of image: inout [UInt8], new: [UInt8], old: [UInt8]) {
        let range = Self.sectorRange(sector, size: image.count)
        var garbage = crashRandom.bytes(range.count)
        let newBytes = Array(new[range])
        let oldBytes = range.map { $0 < old.count ? old[$0] : 0 }
        while garbage == newBytes || garbage == oldBytes { garbage[0] &+= 1 }
        image.replaceSubrange(range, with: garbage)
    }

    private func report(
        _ mode: CrashMode, before: [(path: String, bytes: [UInt8])], outcomes: [NodeID: CrashReport.FileOutcome], reverted: Int
    ) -> CrashReport {
        var after: [String: [UInt8]] = [:]
        for (path, node) in currentFiles() { after[path] = files[node]!.current }
        var affected: Set<String> = []
        var dropped: Int64 = 0
        for (path, old) in before {
            guard let new = after[path] else {
                affected.insert(path)
                dropped += Int64(old.count)
                continue
            }
            if new == old { continue }
            affected.insert(path)
            for index in old.indices where index >= new.count || new[index] != old[index] { dropped += 1 }
        }
        let beforePaths = Set(before.map(\.path))
        for path in after.keys where !beforePaths.contains(path) { affected.insert(path) }
        let files = outcomes.values.sorted { $0.path < $1.path }
        return CrashReport(
            mode: mode, generation: generation, files: files, filesAffected: affected.sorted(), bytesDropped: dropped,
            writesTorn: files.filter { $0.tornAt != nil }.count,
            sectorsGarbled: files.reduce(0) { $0 + $1.garbageSectors.count }, entriesReverted: reverted)
    }
}
