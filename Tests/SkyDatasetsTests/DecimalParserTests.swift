import Testing
@testable import SkyDatasets

@Suite("Decimal parsing from bytes")
struct DecimalParserTests {
    func parse(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { DecimalParser.parse($0, 0..<$0.count) }
    }

    @Test("equals Double(String) bit for bit on random decimals and the awkward cases")
    func matchesStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        var samples = ["0", "-0", "0.1", "0.30000000000000004", "123456789012345678901234", "1e5", "-2.5E-3", "+7",
                       "9007199254740993", "9007199254740992.5", ".5", "5.", "1.7976931348623157e308", "nan", "inf",
                       "", "-", ".", "1.2.3", "12a", "0x10", "4.9e-324", "0.000000000000000000000001"]
        for _ in 0..<20_000 {
            let integer = UInt64.random(in: 0...10_000_000_000, using: &generator)
            let fraction = UInt64.random(in: 0...999_999_999_999, using: &generator)
            let places = Int.random(in: 0...12, using: &generator)
            let text = places == 0 ? "\(integer)" : "\(integer).\(String(String(fraction).prefix(places)))"
            samples.append(Bool.random(using: &generator) ? "-" + text : text)
        }
        for text in samples {
            let expected = Double(text)
            let got = parse(text)
            #expect(got?.bitPattern == expected?.bitPattern, "\(text)")
        }
    }
}
