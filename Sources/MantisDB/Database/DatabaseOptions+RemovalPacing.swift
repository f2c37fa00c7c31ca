import IntegrityKit
import MantisCore

extension DatabaseOptions {
    /// `pacing` with `unpacedBelowFree` set, unless already set, to twice the disk reserve: when
    /// free space nears the point where writes are refused, trimmed segments and old checkpoints
    /// give their space back at once instead of over seconds.
    func removalPacingNearReserve(_ pacing: RemovalPacing?) -> RemovalPacing? {
        guard var pacing, pacing.unpacedBelowFree == nil, let diskReserve else { return pacing }
        let total = (try? fileSystem.diskSpace(directory).total) ?? 0
        let (twice, overflow) = diskReserve.bytes(ofTotal: total).multipliedReportingOverflow(by: 2)
        pacing.unpacedBelowFree = overflow ? .max : twice
        return pacing
    }
}
