import Testing
@testable import MantisDB

@Suite("Secret comparison") struct SecretComparisonTests {
    @Test("equal only when every byte and the length agree")
    func matches() {
        #expect(SecretComparison.matches("s3cret".utf8, "s3cret".utf8))
        #expect(SecretComparison.matches("".utf8, "".utf8))
        #expect(!SecretComparison.matches("s3cres".utf8, "s3cret".utf8))
        #expect(!SecretComparison.matches("x3cret".utf8, "s3cret".utf8))
        #expect(!SecretComparison.matches("s3cre".utf8, "s3cret".utf8), "a prefix")
        #expect(!SecretComparison.matches("s3cret\u{0}".utf8, "s3cret".utf8), "a NUL past the end")
        #expect(!SecretComparison.matches("".utf8, "s3cret".utf8))
        #expect(!SecretComparison.matches([UInt8]("Bearer tk".utf8), "Bearer tK".utf8))
    }
}
