import MantisDB
import Testing

@Suite("Configuration syntax: sizes, durations, booleans") struct ConfigurationSyntaxTests {
    static let sizesCases: [(String, Int)] = [
        ("64MiB", 64 << 20), ("512KiB", 512 << 10), ("1GiB", 1 << 30), ("2TiB", 2 << 40),
        ("4096", 4096), ("0", 0), ("7B", 7),
        ("1KB", 1_000), ("64MB", 64_000_000), ("1GB", 1_000_000_000), ("1TB", 1_000_000_000_000),
        ("64mib", 64 << 20), ("64 MiB", 64 << 20), (" 16KiB ", 16 << 10),
        ("1.5KiB", 1536), ("0.5MB", 500_000), ("2.25GiB", 9 << 28),
    ]

    static let badSizesCases: [(String, String)] = [
        ("64XB", "unknown size unit \"XB\""), ("", "is empty"), ("-1MiB", "negative"), ("MiB", "is not a size"),
        ("1.5B", "not a whole number of bytes"), ("99999999TiB", "too large"), ("12 34", "unknown size unit"),
    ]

    static let formatSizesCases: [(Int, String)] = [
        (64 << 20, "64MiB"), (1 << 30, "1GiB"), (4096, "4KiB"), (1000, "1KB"), (4097, "4097"), (0, "0"), (1536, "1536"),
    ]

    static let durationsCases: [(String, Duration)] = [
        ("250ms", Duration.milliseconds(250)), ("5s", .seconds(5)), ("5m", .seconds(300)), ("1h", .seconds(3600)),
        ("1h30m", .seconds(5400)), ("1.5s", .milliseconds(1500)), ("10us", .microseconds(10)), ("7ns", .nanoseconds(7)),
        ("2d", .seconds(172_800)), ("0", .zero), ("0s", .zero), (" 5 s ", .seconds(5)), ("1m30s", .seconds(90)),
    ]

    static let badDurationsCases: [(String, String)] = [
        ("5", "has no unit"), ("250", "250ms"), ("5x", "unknown duration unit \"x\""), ("-1s", "negative"),
        ("", "is empty"), ("s", "is not a duration"), ("1.5", "has no unit"), ("1e3s", "unknown duration unit"),
    ]

    static let formatDurationsCases: [(Duration, String)] = [
        (Duration.seconds(300), "5m"), (.milliseconds(10), "10ms"), (.seconds(90), "90s"), (.seconds(3600), "1h"),
        (.zero, "0s"), (.microseconds(3), "3us"), (.nanoseconds(1500), "1500ns"),
    ]

    @Test("sizes: binary and decimal units, plain bytes, fractions", arguments: sizesCases)
    func sizes(text: String, bytes: Int) throws {
        #expect(try ConfigurationSyntax.parseSize(text) == bytes)
    }

    @Test("bad sizes say why and list the units", arguments: badSizesCases)
    func badSizes(text: String, reason: String) {
        #expect(throws: ConfigurationSyntax.SyntaxError.self) { try ConfigurationSyntax.parseSize(text) }
        do {
            _ = try ConfigurationSyntax.parseSize(text)
        } catch {
            #expect(error.message.contains(reason), "\(error.message)")
            if reason.contains("unit") || reason.contains("not a size") || reason.contains("empty") {
                #expect(error.message.contains("KiB") && error.message.contains("MB"))
            }
        }
    }

    @Test("sizes print in the largest exact unit and read back", arguments: formatSizesCases)
    func formatSizes(bytes: Int, text: String) throws {
        #expect(ConfigurationSyntax.formatSize(bytes) == text)
        #expect(try ConfigurationSyntax.parseSize(text) == bytes)
    }

    @Test("durations: units, compounds, fractions", arguments: durationsCases)
    func durations(text: String, duration: Duration) throws {
        #expect(try ConfigurationSyntax.parseDuration(text) == duration)
    }

    @Test("bad durations say why; a bare number asks for a unit", arguments: badDurationsCases)
    func badDurations(text: String, reason: String) {
        do {
            let value = try ConfigurationSyntax.parseDuration(text)
            Issue.record("\(text) parsed as \(value)")
        } catch {
            #expect(error.message.contains(reason), "\(error.message)")
        }
    }

    @Test("a bare number takes the setting's unit when it has one (rpo: milliseconds)")
    func bareNumberUnit() throws {
        #expect(try ConfigurationSyntax.parseDuration("250", bareNumberUnit: .milliseconds(1)) == .milliseconds(250))
        #expect(try ConfigurationSyntax.parseDuration("0", bareNumberUnit: .milliseconds(1)) == .zero)
        #expect(try ConfigurationSyntax.parseDuration("2s", bareNumberUnit: .milliseconds(1)) == .seconds(2))
    }

    @Test("durations print in the largest exact unit and read back", arguments: formatDurationsCases)
    func formatDurations(duration: Duration, text: String) throws {
        #expect(ConfigurationSyntax.formatDuration(duration) == text)
        #expect(try ConfigurationSyntax.parseDuration(text) == duration)
    }

    @Test("booleans and integers")
    func scalars() {
        for text in ["true", "TRUE", "yes", "on", "1"] { #expect(ConfigurationSyntax.parseBool(text) == true) }
        for text in ["false", "No", "off", "0"] { #expect(ConfigurationSyntax.parseBool(text) == false) }
        #expect(ConfigurationSyntax.parseBool("maybe") == nil)
        #expect(ConfigurationSyntax.parseInteger("1_000") == 1000)
        #expect(ConfigurationSyntax.parseInteger("12a") == nil)
        #expect(ConfigurationSyntax.isNull("null") && ConfigurationSyntax.isNull("~") && ConfigurationSyntax.isNull(""))
        #expect(!ConfigurationSyntax.isNull("none"))
    }
}
