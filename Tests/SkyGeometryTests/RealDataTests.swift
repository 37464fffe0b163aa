import Foundation
import Testing
import SkyImaging
@testable import SkyGeometry

/// `realdata_contours.json`: OpenCV's results on the real masks in `../shared/realdata`.
private struct RealFixture: Decodable {
    struct Mask: Decodable {
        var path: String
        var palette: String?
        var classes: [String: ClassResult]
    }

    struct ClassResult: Decodable {
        /// "mode/approximation" -> [contour count, FNV-1a digest of the serialised output].
        var digests: [String: [Digest]]
        var boxes: [[Int]]
        var areas: [Double]
    }

    enum Digest: Decodable, Equatable {
        case count(Int)
        case hash(String)
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let count = try? container.decode(Int.self) { self = .count(count) } else {
                self = .hash(try container.decode(String.self))
            }
        }
    }

    var opencv: String
    var masks: [Mask]

    static func load() throws -> RealFixture {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/realdata_contours.json", withExtension: nil))
        return try JSONDecoder().decode(RealFixture.self, from: Data(contentsOf: url))
    }
}

/// The byte stream the fixture script digests: u32 count, per contour u32 n and i32 x, y; then i32 links.
private func digest(_ set: ContourSet) -> String {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    func feed(_ value: Int32) {
        for shift in stride(from: 0, to: 32, by: 8) {
            hash ^= UInt64(UInt32(bitPattern: value) >> UInt32(shift) & 0xFF)
            hash = hash &* 0x0000_0100_0000_01B3
        }
    }
    feed(Int32(set.contours.count))
    for contour in set.contours {
        feed(Int32(contour.count))
        for point in contour {
            feed(point.x)
            feed(point.y)
        }
    }
    for link in set.hierarchy { link.openCVArray.forEach { feed(Int32($0)) } }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}

@Suite("Real masks from ../shared/realdata", .enabled(if: RealData.isAvailable, "../shared/realdata is absent"))
struct RealDataTests {
    private func loadMask(_ entry: RealFixture.Mask) throws -> LabelMask {
        let palette = try entry.palette.map { name throws(GeometryError) in try Palette.named(name) }
        return try LabelMask.load(path: RealData.path(entry.path), palette: palette)
    }

    @Test("findContours on every class of every real mask matches OpenCV in all modes and approximations")
    func contoursMatch() throws {
        let fixture = try RealFixture.load()
        #expect(fixture.masks.count == 9)
        for entry in fixture.masks {
            let mask = try loadMask(entry)
            for (value, expected) in entry.classes {
                let classValue = try #require(UInt8(value))
                for mode in ContourRetrieval.allCases {
                    for approximation in ContourApproximation.allCases {
                        let key = "\(mode.rawValue)/\(approximation.rawValue)"
                        let set = Contours.find(in: mask, value: classValue, mode: mode, approximation: approximation)
                        #expect([.count(set.contours.count), .hash(digest(set))] == expected.digests[key],
                                "\(entry.path) class \(value) \(key)")
                    }
                }
            }
        }
    }

    @Test("M2B gives OpenCV's per-class boxes on LoveDA, Potsdam, Vaihingen and the iSAID colour masks")
    func m2bMatches() throws {
        let fixture = try RealFixture.load()
        var boxes = 0
        for entry in fixture.masks {
            let mask = try loadMask(entry)
            let regions = M2B.boxes(in: mask)
            #expect(Set(regions.map { String($0.classValue) }) == Set(entry.classes.keys), "\(entry.path)")
            for (value, expected) in entry.classes {
                let mine = regions.filter { String($0.classValue) == value }
                #expect(mine.map(\.box.openCVArray) == expected.boxes, "\(entry.path) class \(value)")
                #expect(mine.map(\.contourArea) == expected.areas, "\(entry.path) class \(value)")
                boxes += mine.count
            }
        }
        #expect(boxes > 500)
    }

    @Test("M2B rotated boxes equal cv2.minAreaRect of each outer contour, in both angle conventions",
          arguments: [MinAreaRectConvention.legacy, .current])
    func rotatedMatches(convention: MinAreaRectConvention) throws {
        struct Rotated: Decodable {
            struct Mask: Decodable {
                var path: String
                var palette: String?
                var classes: [String: [[Double]]]
            }
            var masks: [Mask]
        }
        let url = try #require(Bundle.module.url(forResource: "Fixtures/realdata_rotated_\(convention.rawValue).json",
                                                 withExtension: nil))
        let fixture = try JSONDecoder().decode(Rotated.self, from: Data(contentsOf: url))
        var compared = 0
        for entry in fixture.masks {
            let palette = try entry.palette.map { name throws(GeometryError) in try Palette.named(name) }
            let mask = try LabelMask.load(path: RealData.path(entry.path), palette: palette)
            let regions = M2B.boxes(in: mask, options: M2BOptions(rotated: true, rotatedConvention: convention))
            for (value, expected) in entry.classes {
                let mine = regions.filter { String($0.classValue) == value }.compactMap(\.rotatedBox).map {
                    [$0.center.x, $0.center.y, $0.width, $0.height, $0.angle].map { Float($0).bitPattern }
                }
                #expect(mine == expected.map { $0.map { Float($0).bitPattern } }, "\(entry.path) class \(value)")
                compared += expected.count
            }
        }
        #expect(compared > 500)
    }

    @Test("iSAID masks decode through the palette with no unknown colour; a wrong palette names the colour")
    func palettes() throws {
        let path = RealData.path("isaid/val/images/P0003_instance_color_RGB.png")
        let mask = try LabelMask.load(path: path, palette: Palette.named("isaid"))
        #expect(mask.width == 1147 && mask.height == 1023)
        #expect(mask.presentValues == [0, 2, 8, 9])
        let error = #expect(throws: GeometryError.self) {
            try LabelMask.load(path: path, palette: Palette.named("loveda"))
        }
        guard case .unknownColour(let where_, let palette, _, let count, _, _) = error else {
            Issue.record("expected unknownColour, got \(String(describing: error))")
            return
        }
        #expect(where_ == path && palette == "loveda" && count > 0)
        // The image beside the mask has the same size; a LoveDA image does not.
        let image = try ImageDecoder().header(ofFile: RealData.path("isaid/val/images/P0003.png"))
        try mask.requireSize(width: image.width, height: image.height, path: path)
        #expect(throws: GeometryError.self) { try mask.requireSize(width: 1024, height: 1024, path: path) }
    }
}

@Suite("Real LEVIR-CD change masks", .enabled(if: RealData.isAvailable, "../shared/realdata is absent"))
struct ChangeMaskTests {
    @Test("0/255 change labels load as index masks and M2B boxes the changed regions like the per-class pipeline")
    func changeMasks() throws {
        let palette = try Palette.named("change")
        let options = M2BOptions(ignoredClasses: Set(palette.defaultIgnore), keepPolygons: true)
        let changed = try LabelMask.load(path: RealData.path("levir-cd/label/train_36_0512_0512.png"), palette: palette)
        #expect(changed.presentValues == [0, 255])
        let boxes = M2B.boxes(in: changed, options: options)
        #expect(!boxes.isEmpty)
        #expect(boxes == perClassReference(changed, ignoring: [0]))
        #expect(boxes.allSatisfy { palette.className(of: $0.classValue) == "change" })
        // train_386's label is all zero: no change, no boxes.
        let unchanged = try LabelMask.load(path: RealData.path("levir-cd/label/train_386_0512_0768.png"))
        #expect(unchanged.presentValues == [0])
        #expect(M2B.boxes(in: unchanged, options: options).isEmpty)
    }
}
