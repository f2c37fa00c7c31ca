import MantisCore

extension Alert {
    /// The alert as one JSON object (no newline): what the file sink writes and the webhook posts.
    ///
    /// `{"time":"2026-11-26T14:08:13.123Z","time_ns":…,"name":"wal_failed","severity":"critical",
    /// "message":"…","details":{…},"source":"mantisdb"}` (details keys sorted).
    public func jsonLine(source: String = "mantisdb") -> String {
        var object = JSONObjectWriter()
        object.string("time", WallClock.iso8601(nanosecondsSinceEpoch: timeNanoseconds))
        object.integer("time_ns", timeNanoseconds)
        object.string("name", name)
        object.string("severity", severity.rawValue)
        object.string("message", message)
        object.stringMap("details", details)
        object.string("source", source)
        return object.finish()
    }
}
