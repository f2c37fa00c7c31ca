/// The subcommands of `CLIENT`, `COMMAND` and `CONFIG`: their arities (Redis 7.0's, in its
/// convention: `n` exactly n words, `-n` at least n, the command's name included), the refusal of
/// an unknown one or a wrong argument count (before the command runs, so `MULTI` refuses it while
/// queuing and `EXEC` aborts, as Redis), and `HELP`.
enum RESPSubcommands {
    static let arities: [String: [String: Int]] = [
        "CLIENT": ["GETNAME": 2, "SETNAME": 3, "SETINFO": 4, "ID": 2, "INFO": 2, "LIST": -2, "HELP": 2],
        "COMMAND": ["COUNT": 2, "LIST": -2, "DOCS": -2, "INFO": -2, "HELP": 2],
        "CONFIG": ["GET": -3, "SET": -4, "RESETSTAT": 2, "REWRITE": 2, "HELP": 2],
    ]

    /// Why `request` (a `CLIENT`, `COMMAND` or `CONFIG` request) is refused before it runs, or nil.
    /// `COMMAND` alone (no subcommand) runs.
    static func rejection(_ request: RESPRequest) -> RESPValue? {
        let command = request.name
        guard let table = arities[command], request.count > 1 || command != "COMMAND" else { return nil }
        guard let arity = table[request.word(1)] else { return .unknownSubcommand(request) }
        guard arity >= 0 ? request.count == arity : request.count >= -arity else {
            return .wrongArity("\(command)|\(request.text(1))")
        }
        return nil
    }

    /// The `HELP` reply: Redis' layout (a header, each subcommand and its indented description,
    /// one status line each), listing what MantisDB does.
    static func help(for command: String) -> RESPValue {
        let entries: [String]
        switch command {
        case "CLIENT":
            entries = [
                "GETNAME", "    Return the name of the current connection.",
                "ID", "    Return the ID of the current connection.",
                "INFO", "    Return information about the current client connection.",
                "LIST", "    Return information about client connections.",
                "SETINFO <option> <value>", "    Set client meta attr. Options are LIB-NAME and LIB-VER.",
                "SETNAME <name>", "    Assign the name <name> to the current connection.",
            ]
        case "COMMAND":
            entries = [
                "(no subcommand)", "    Return details about all MantisDB commands.",
                "COUNT", "    Return the total number of commands in this MantisDB server.",
                "LIST", "    Return a list of all commands in this MantisDB server.",
                "INFO [<command-name> ...]", "    Return details about multiple commands (all without names).",
                "DOCS [<command-name> ...]", "    Return documentation details (none: clients use their own help).",
            ]
        case "CONFIG":
            entries = [
                "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
                "SET, RESETSTAT, REWRITE", "    Not supported: the configuration is read-only here.",
            ]
        default:
            entries = []
        }
        let lines = ["\(command) <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"] + entries + ["HELP", "    Prints this help."]
        return .array(lines.map(RESPValue.simpleString))
    }
}
