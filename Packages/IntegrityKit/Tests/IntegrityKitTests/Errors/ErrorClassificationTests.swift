import IntegrityKit
import MantisCore
import Testing

@Suite struct ErrorClassificationTests {
    /// The codes of MantisCore's `MantisError+Code.swift`, read from the source so a code added
    /// there without a classification fails this test.
    static func coreCodes() throws -> [String] {
        let here = #filePath
        guard let range = here.firstRange(of: "/IntegrityKit/Tests/") else { throw MantisError(.notFound, "unexpected #filePath \(here)") }
        let packages = String(here[..<range.lowerBound])
        let text = try PosixFileSystem().readFile(packages + "/MantisCore/Sources/MantisCore/Errors/MantisError+Code.swift")
        var codes: [String] = []
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") where line.contains("public static let") && line.contains(": Self = \"") {
            let parts = line.split(separator: "\"")
            if parts.count >= 2 { codes.append(String(parts[1])) }
        }
        return codes
    }

    @Test func everyCoreCodeIsClassified() throws {
        let codes = try Self.coreCodes()
        #expect(codes.count >= 25, "parsed \(codes.count) codes: the source layout changed?")
        let missing = codes.filter { !ErrorClassification.standard.isRegistered(MantisError.Code(rawValue: $0)) }
        #expect(missing.isEmpty, "codes without a classification: \(missing)")
    }

    @Test func integrityKitCodesAreClassified() {
        #expect(ErrorClassification.standard.isRegistered(.circuitOpen))
        #expect(ErrorClassification.standard.isRegistered(.cancelled))
    }

    @Test func representativeClasses() {
        let table = ErrorClassification.standard
        #expect(table.traits(of: .ioError).errorClass == .transient)
        #expect(table.traits(of: .deadlock).errorClass == .transient)
        #expect(table.traits(of: .diskFull).errorClass == .resource)
        #expect(table.traits(of: .memoryLimit).errorClass == .resource)
        #expect(table.traits(of: .corruption).errorClass == .corruption)
        #expect(table.traits(of: .checksumMismatch).errorClass == .corruption)
        #expect(table.traits(of: .codecError).errorClass == .corruption)
        #expect(table.traits(of: .syncFailed).errorClass == .permanent)
        #expect(table.traits(of: .syncFailed).severity == .critical)
        #expect(table.traits(of: .permissionDenied).isRecoverable == false)
        #expect(table.traits(of: .internalError).errorClass == .programming)
    }

    @Test func unknownCodeGetsTheSafeDefault() {
        let classified = ErrorClassification.standard.classify(MantisError("frobnication_failed", "a code from the future"))
        #expect(classified.errorClass == .permanent)
        #expect(classified.severity == .error)
        #expect(!classified.isRecoverable)
        #expect(!classified.isRetryable)
        #expect(ErrorPolicy.standard.decide(MantisError("frobnication_failed", "x")).action == .reject)
    }

    @Test func addingACode() {
        let custom = ErrorClassification.standard.adding("replica_lagging", ErrorTraits(.transient, .warning, recoverable: true, "lag"))
        #expect(custom.classify(MantisError("replica_lagging", "behind")).isRetryable)
        #expect(!ErrorClassification.standard.isRegistered("replica_lagging"))
    }

    @Test func contextIsCarried() {
        let error = MantisError(.ioError, "pread failed", context: ErrorContext(operation: "pread", file: "/data/wal/x.log", offset: 4096, metadata: ["injected": "true"]))
        let classified = ErrorClassification.standard.classify(error)
        #expect(classified.operation == "pread")
        #expect(classified.resource == "/data/wal/x.log@4096")
        #expect(classified.metadata["injected"] == "true")
        let keyed = ErrorClassification.standard.classify(MantisError(.corruption, "bad value", context: ErrorContext(key: Array("k1".utf8))))
        #expect(keyed.resource == "key \"k1\"")
    }

    @Test func syncFailuresAreNeverRetryable() {
        let table = ErrorClassification.standard
        let fsync = MantisError(.syncFailed, "fsync failed: EIO", context: ErrorContext(operation: "fsync", file: "/data/wal/a.log", errno: 5))
        #expect(table.classify(fsync).involvesSync)
        #expect(!table.classify(fsync).isRetryable)
        // ENOSPC from fsync is reported as diskFull: still an fsync failure.
        let enospc = MantisError(.diskFull, "fsync failed: ENOSPC", context: ErrorContext(operation: "fsync", file: "/data/wal/a.log", errno: 28))
        #expect(table.classify(enospc).involvesSync)
        // An I/O error whose operation was fdatasync (even if some layer called it io_error).
        let eio = MantisError(.ioError, "fdatasync failed", context: ErrorContext(operation: "fdatasync"))
        #expect(table.classify(eio).involvesSync)
        #expect(!table.classify(eio).isRetryable)
        // A failed log caused by a failed sync.
        let failed = MantisError(.walFailed, "the log failed", cause: fsync)
        #expect(table.classify(failed).involvesSync)
        #expect(table.classify(failed).severity == .critical)
    }

    @Test func corruptionInTheCauseChainWins() {
        let error = MantisError(.ioError, "replay stopped", cause: MantisError(.checksumMismatch, "crc"))
        let classified = ErrorClassification.standard.classify(error)
        #expect(classified.errorClass == .corruption)
        #expect(!classified.isRetryable)
    }

    @Test func transientOverNonTransientIsNotRetryable() {
        let error = MantisError(.timeout, "gave up", cause: MantisError(.permissionDenied, "EACCES"))
        let classified = ErrorClassification.standard.classify(error)
        #expect(classified.errorClass == .transient)
        #expect(!classified.wholeChainTransient)
        #expect(!classified.isRetryable)
    }

    @Test func foreignErrorsAndCancellation() {
        struct Oops: Error {}
        #expect(ErrorClassification.standard.classify(Oops()).errorClass == .programming)
        let cancelled = ErrorClassification.standard.classify(CancellationError())
        #expect(cancelled.code == .cancelled)
        #expect(!cancelled.isRetryable)
    }
}

@Suite struct ErrorPolicyTests {
    @Test func defaultActionsPerClass() {
        let policy = ErrorPolicy.standard
        #expect(policy.decide(MantisError(.ioError, "x")).action == .retry)
        #expect(policy.decide(MantisError(.diskFull, "x")).action == .reject)
        #expect(policy.decide(MantisError(.memoryLimit, "x")).action == .reject)
        #expect(policy.decide(MantisError(.corruption, "x")).action == .readOnly)
        #expect(policy.decide(MantisError(.invalidArgument, "x")).action == .reject)
        #expect(policy.decide(MantisError(.internalError, "x")).action == .stop)
    }

    @Test func syncFailureIsAtLeastReadOnlyWhateverTheConfiguration() throws {
        let lenient = try ErrorPolicy(actions: [.permanent: .retry, .resource: .retry, .transient: .retry])
        let fsync = MantisError(.syncFailed, "fsync failed", context: ErrorContext(operation: "fsync"))
        #expect(lenient.decide(fsync).action == .readOnly)
        let enospc = MantisError(.diskFull, "fsync: ENOSPC", context: ErrorContext(operation: "fsync"))
        #expect(lenient.decide(enospc).action == .readOnly)
        #expect(lenient.decide(MantisError(.walFailed, "failed")).action == .readOnly)
        let strict = try ErrorPolicy(actions: [.permanent: .stop])
        #expect(strict.decide(fsync).action == .stop, "a stricter action than the floor is kept")
    }

    @Test func retryForANonRetryableErrorBecomesReject() throws {
        let policy = try ErrorPolicy(actions: [.transient: .retry])
        let error = MantisError(.timeout, "gave up", cause: MantisError(.permissionDenied, "EACCES"))
        let decision = policy.decide(error)
        #expect(decision.action == .reject)
    }

    @Test func corruptionAndProgrammingCanNeverBeRetried() {
        #expect(throws: MantisError.self) { try ErrorPolicy(actions: [.corruption: .retry]) }
        #expect(throws: MantisError.self) { try ErrorPolicy(actions: [.programming: .retry]) }
    }

    @Test func fromConfiguration() throws {
        let policy = try ErrorPolicy(configuration: ["corruption": "stop", "resource": "read-only"])
        #expect(policy.actions[.corruption] == .stop)
        #expect(policy.actions[.resource] == .readOnly)
        #expect(policy.actions[.transient] == .retry)
        #expect(throws: MantisError.self) { try ErrorPolicy(configuration: ["corruption": "ignore"]) }
        #expect(throws: MantisError.self) { try ErrorPolicy(configuration: ["weird": "stop"]) }
    }
}
