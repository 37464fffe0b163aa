import Testing
@testable import SkyGeometry

/// One random mask with OpenCV's output for every mode and approximation.
private struct ContourCase {
    var mask: LabelMask
    /// Keyed by "mode/approximation".
    var expected: [String: ContourSet] = [:]
}

private func loadContourCases() throws -> [ContourCase] {
    var reader = try FixtureReader(named: "contours_random.bin")
    try reader.magic("SKCT")
    let count = reader.u32()
    var cases: [ContourCase] = []
    for _ in 0..<count {
        let width = reader.u16(), height = reader.u16()
        var item = ContourCase(mask: try LabelMask(width: width, height: height, values: reader.take(width * height)))
        var listed: [ContourApproximation: [[PixelPoint]]] = [:]
        for mode in ContourRetrieval.allCases {
            for approximation in ContourApproximation.allCases {
                let contourCount = reader.u32()
                var contours: [[PixelPoint]] = []
                for _ in 0..<contourCount {
                    if mode == .external || mode == .list {
                        let pointCount = reader.u32()
                        contours.append((0..<pointCount).map { _ in
                            let x = reader.u8(), y = reader.u8()
                            return PixelPoint(x: Int32(x), y: Int32(y))
                        })
                    } else {
                        contours.append(listed[approximation]?[reader.u32()] ?? [])
                    }
                }
                if mode == .list { listed[approximation] = contours }
                let links = (0..<contourCount).map { _ in
                    ContourLink(next: reader.i16(), previous: reader.i16(), firstChild: reader.i16(), parent: reader.i16())
                }
                item.expected["\(mode.rawValue)/\(approximation.rawValue)"] =
                    ContourSet(contours: contours, hierarchy: links, isHole: [])
            }
        }
        cases.append(item)
    }
    #expect(reader.isAtEnd)
    return cases
}

@Suite("findContours parity with OpenCV")
struct ContourParityTests {
    @Test("random masks: every mode and approximation matches cv2.findContours exactly",
          arguments: ContourRetrieval.allCases, ContourApproximation.allCases)
    func randomMasks(mode: ContourRetrieval, approximation: ContourApproximation) throws {
        let cases = try loadContourCases()
        #expect(cases.count > 1000)
        var mismatches = 0, compared = 0
        for (index, item) in cases.enumerated() {
            let expected = try #require(item.expected["\(mode.rawValue)/\(approximation.rawValue)"])
            compared += expected.contours.count
            let actual = Contours.find(in: item.mask, mode: mode, approximation: approximation)
            if actual.contours != expected.contours || actual.hierarchy != expected.hierarchy {
                mismatches += 1
                if mismatches <= 3 {
                    Issue.record("""
                        case \(index) (\(item.mask.width)x\(item.mask.height)): \(actual.contours.count) contours, \
                        OpenCV \(expected.contours.count); first differing contour \
                        \(Array(zip(actual.contours, expected.contours)).firstIndex { $0.0 != $0.1 } ?? -1)
                        """)
                }
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(cases.count) masks differ from OpenCV")
        #expect(compared > 5000, "only \(compared) contours compared")
    }

    @Test("the probes from the research notes")
    func documentedProbes() throws {
        // 3x3 all ones: traced down the left side first.
        let full = LabelMask(width: 3, height: 3, filledWith: 1)
        let points = Contours.find(in: full, mode: .list, approximation: .none).contours
        #expect(points == [[(0, 0), (0, 1), (0, 2), (1, 2), (2, 2), (2, 1), (2, 0), (1, 0)].map(PixelPoint.init)])

        // A 5x5 ring with a 3x3 hole and a dot inside the hole.
        var ring = LabelMask(width: 7, height: 7)
        for y in 1...5 { for x in 1...5 { ring[x, y] = 1 } }
        for y in 2...4 { for x in 2...4 { ring[x, y] = 0 } }
        ring[3, 3] = 1
        let tree = Contours.find(in: ring, mode: .tree)
        #expect(tree.hierarchy.map(\.openCVArray) == [[-1, -1, 1, -1], [-1, -1, 2, 0], [-1, -1, -1, 1]])
        #expect(tree.isHole == [false, true, false])
        let ccomp = Contours.find(in: ring, mode: .ccomp)
        #expect(ccomp.hierarchy.map(\.openCVArray) == [[1, -1, -1, -1], [-1, 0, 2, -1], [-1, -1, -1, 1]])
        #expect(ccomp.contours[0] == [PixelPoint(x: 3, y: 3)])
    }

    @Test("an empty or all-zero mask has no contours")
    func emptyMasks() {
        #expect(Contours.find(in: LabelMask(width: 0, height: 0)).contours.isEmpty)
        #expect(Contours.find(in: LabelMask(width: 4, height: 3)).contours.isEmpty)
    }
}

private extension PixelPoint {
    init(_ pair: (Int32, Int32)) { self.init(x: pair.0, y: pair.1) }
}
