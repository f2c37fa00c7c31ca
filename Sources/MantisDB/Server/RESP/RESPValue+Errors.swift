import MantisCore

/// The error replies, with Redis' wording where Redis has one (clients match on it).
extension RESPValue {
    static let syntaxError = RESPValue.error("ERR syntax error")
    static let notInteger = RESPValue.error("ERR value is not an integer or out of range")
    static let overflow = RESPValue.error("ERR increment or decrement would overflow")
    static let noAuth = RESPValue.error("NOAUTH Authentication required.")
    static let wrongPass = RESPValue.error("WRONGPASS invalid username-password pair or user is disabled.")

    static func wrongArity(_ name: String) -> RESPValue {
        .error("ERR wrong number of arguments for '\(name.lowercased())' command")
    }

    /// A word as C's `%.*s` prints it into Redis' error lines: up to its first NUL, at most
    /// `budget` bytes.
    static func printed(_ word: [UInt8], atMost budget: Int = .max) -> ArraySlice<UInt8> {
        word[..<min(word.firstIndex(of: 0) ?? word.count, budget)]
    }

    /// An error line quoting `word` (as `printed`) between `before` and `after`, its bytes as sent.
    static func quoting(_ before: String, _ word: [UInt8], atMost budget: Int = .max, _ after: String) -> RESPValue {
        .errorBytes(Array(before.utf8) + printed(word, atMost: budget) + Array(after.utf8))
    }

    /// `ERR unknown command 'x', with args beginning with: 'a' 'b' ` as Redis builds it: each word
    /// up to its first NUL byte, the name at most 128 bytes, the arguments while fewer than 128
    /// bytes are listed, cut to what is left of the 128; the bytes as they came, UTF-8 or not.
    static func unknownCommand(_ request: RESPRequest) -> RESPValue {
        var line = Array("ERR unknown command '".utf8) + printed(request.arguments[0], atMost: 128) + Array("', with args beginning with: ".utf8)
        var listed = 0
        for word in request.arguments.dropFirst() where listed < 128 {
            let part = [UInt8(ascii: "'")] + printed(word, atMost: 128 - listed) + Array("' ".utf8)
            listed += part.count
            line += part
        }
        return .errorBytes(line)
    }

    static func unknownSubcommand(_ request: RESPRequest) -> RESPValue {
        quoting("ERR unknown subcommand '", request.arguments[1], atMost: 128, "'. Try \(request.name) HELP.")
    }

    /// The reply for a failed database call. The first word tells a client what happened:
    /// `READONLY` (safe mode), `DEADLOCK` and `SERIALIZATION` (the transaction was aborted and may
    /// be retried), `CORRUPTION` (names the key; the bad bytes were withheld), `DISKFULL`, `OOM`,
    /// `LOCKTIMEOUT`, `TXNTIMEOUT`; anything else `ERR`.
    static func failure(_ error: any Error) -> RESPValue {
        guard let error = error as? MantisError else { return .error("ERR \(error)") }
        var message = error.message
        if let key = error.context.key, !message.contains(ErrorContext.render(key)) {
            message += " (key \(ErrorContext.render(key)))"
        }
        switch error.code {
        case .readOnly:
            return .error("READONLY \(message)")
        case .deadlock:
            return .error("DEADLOCK \(message); transaction aborted, retry it")
        case .serializationFailure:
            return .error("SERIALIZATION \(message); transaction aborted")
        case .corruption, .checksumMismatch:
            return .error("CORRUPTION \(message)")
        case .diskFull:
            return .error("DISKFULL \(message)")
        case .memoryLimit:
            return .error("OOM \(message)")
        case .lockTimeout:
            return .error("LOCKTIMEOUT \(message); transaction aborted")
        case .transactionTimeout:
            return .error("TXNTIMEOUT \(message); transaction aborted")
        default:
            if error.hasCode(.readOnly) { return .error("READONLY \(message)") }
            if error.hasCode(.diskFull) { return .error("DISKFULL \(message)") }
            return .error("ERR \(message)")
        }
    }
}
