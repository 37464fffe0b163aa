import Foundation
import SkyTestSupport
import SkyGeometry
import SkyImaging
@testable import SkyText

/// Finds `../shared/realdata` next to the package root; the acceptance tests skip when it is absent.
enum RealData {
    static let root: URL = TestPaths.realData

    static var isPresent: Bool { FileManager.default.fileExists(atPath: root.path) }

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func files(in relative: String, suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path(relative))) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { relative + "/" + $0 }
    }
}

/// One DOTA object read from a labelTxt line: "x1 y1 ... x4 y4 class difficulty".
struct DOTALabel {
    var rawClass: String
    var box: AxisBox
    var difficulty: Int

    /// Reads a labelTxt file; header lines (`imagesource:`, `gsd:`) are skipped.
    static func read(_ path: String) throws -> [DOTALabel] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 9, let first = Double(fields[0]) else { return nil }
            let coordinates = [first] + fields[1..<8].compactMap { Double($0) }
            guard coordinates.count == 8 else { return nil }
            let xs = stride(from: 0, to: 8, by: 2).map { coordinates[$0] }
            let ys = stride(from: 1, to: 8, by: 2).map { coordinates[$0] }
            let box = AxisBox(x: xs.min()!, y: ys.min()!, width: xs.max()! - xs.min()!, height: ys.max()! - ys.min()!)
            return DOTALabel(rawClass: String(fields[8]), box: box,
                             difficulty: fields.count > 9 ? Int(fields[9]) ?? 0 : 0)
        }
    }
}
