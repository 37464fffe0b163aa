import Foundation
import Testing
@testable import SkyCLIP

/// Regression tests for the fuzzer's finding (Fuzz target `pickle`): a pickle whose dict or list holds itself
/// leaked its containers (a reference cycle). Such results are refused; shared, acyclic references still load.
@Suite struct PickleCycleTests {
    static func load(_ bytes: [UInt8]) throws(CLIPError) -> PickleValue {
        var unpickler = Unpickler(path: "data.pkl", bytes: bytes)
        return try unpickler.load()
    }

    /// PROTO 2, EMPTY_DICT, BINPUT 0, then `tail`, STOP.
    static func dict(_ tail: [UInt8]) -> [UInt8] { [0x80, 0x02, 0x7D, 0x71, 0x00] + tail + [0x2E] }

    @Test("a dict that holds itself, a list appended to itself, the fuzzer's input: refused", arguments: [
        dict([0x68, 0x00, 0x68, 0x00, 0x73]),                          // d[d] = d (BINGET, BINGET, SETITEM)
        dict([0x4B, 0x01, 0x68, 0x00, 0x73]),                          // d[1] = d
        [0x80, 0x02, 0x5D, 0x71, 0x00, 0x68, 0x00, 0x61, 0x2E],       // l.append(l)
        [0x80, 0x02, 0x7D, 0x71, 0x00, 0x71, 0x01, 0x32, 0x32, 0x32, 0x73, 0x2E],  // the leak artifact's core: d[d] = d
    ])
    func cycles(_ bytes: [UInt8]) {
        #expect {
            _ = try Self.load(bytes)
        } throws: { error in
            "\(error)".contains("hold themselves")
        }
    }

    @Test("the same dict twice in a tuple, and nesting up to the limit, still load")
    func sharedAndNested() throws {
        let shared = try Self.load([0x80, 0x02, 0x7D, 0x71, 0x00, 0x68, 0x00, 0x86, 0x2E])   // (d, d)
        guard case .tuple(let items) = shared, items.count == 2 else { Issue.record("not a pair: \(shared)"); return }
        func nested(_ depth: Int) -> [UInt8] {
            [0x80, 0x02] + [UInt8](repeating: 0x5D, count: depth) + [UInt8](repeating: 0x61, count: depth - 1) + [0x2E]
        }
        _ = try Self.load(nested(Unpickler.maximumDepth - 1))
        #expect(throws: CLIPError.self) { try Self.load(nested(Unpickler.maximumDepth + 10)) }
    }

    @Test("a chain of 200,000 TUPLE1 opcodes (overflowed the stack when freed) is refused; 900 still load")
    func deepTuples() throws {
        func chain(_ depth: Int) -> [UInt8] { [0x80, 0x02, 0x29] + [UInt8](repeating: 0x85, count: depth) + [0x2E] }
        _ = try Self.load(chain(900))
        #expect { _ = try Self.load(chain(200_000)) } throws: { "\($0)".contains("nest deeper") }
    }

    @Test("a pickle whose shared tuples would take exponential time to walk is refused, not walked")
    func sharedTupleBlowUp() {
        // t = (); then 60 times: t = (t, t) via BINPUT/BINGET, so the tree has 2^60 leaves.
        var bytes: [UInt8] = [0x80, 0x02, 0x29]
        for _ in 0..<60 { bytes += [0x71, 0x00, 0x68, 0x00, 0x86] }
        #expect(throws: CLIPError.self) { try Self.load(bytes + [0x2E]) }
    }
}
