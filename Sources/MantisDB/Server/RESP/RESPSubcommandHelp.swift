/// The `HELP` subcommand of `CLIENT`, `COMMAND` and `CONFIG`: Redis' layout (a header, each
/// subcommand and its indented description, one status line each), listing what MantisDB does.
enum RESPSubcommandHelp {
    static func reply(for command: String) -> RESPValue? {
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
            return nil
        }
        let lines = ["\(command) <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"] + entries + ["HELP", "    Prints this help."]
        return .array(lines.map(RESPValue.simpleString))
    }
}
