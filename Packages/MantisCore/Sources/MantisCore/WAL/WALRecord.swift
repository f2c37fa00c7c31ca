/// A record to append: its LSN is assigned by the log.
public struct WALRecord: Sendable, Hashable {
    public var kind: WALRecordKind
    public var transactionID: TransactionID
    public var payload: [UInt8]

    public init(kind: WALRecordKind, transactionID: TransactionID = .none, payload: [UInt8] = []) {
        self.kind = kind
        self.transactionID = transactionID
        self.payload = payload
    }
}

/// A record read back from the log, with its LSN. Every entry a `WALCursor` returns has
/// passed checksum verification.
public struct WALEntry: Sendable, Hashable {
    public var lsn: LSN
    public var kind: WALRecordKind
    public var transactionID: TransactionID
    public var payload: [UInt8]

    public init(lsn: LSN, kind: WALRecordKind, transactionID: TransactionID, payload: [UInt8]) {
        self.lsn = lsn
        self.kind = kind
        self.transactionID = transactionID
        self.payload = payload
    }

    public var record: WALRecord { WALRecord(kind: kind, transactionID: transactionID, payload: payload) }
}

/// A record read back from the log without copying its payload: valid only inside the closure it
/// is handed to. Checksum-verified like every `WALEntry`.
public struct WALRecordView {
    public var lsn: LSN
    public var kind: WALRecordKind
    public var transactionID: TransactionID
    public var payload: UnsafeRawBufferPointer

    public init(lsn: LSN, kind: WALRecordKind, transactionID: TransactionID, payload: UnsafeRawBufferPointer) {
        self.lsn = lsn
        self.kind = kind
        self.transactionID = transactionID
        self.payload = payload
    }
}
