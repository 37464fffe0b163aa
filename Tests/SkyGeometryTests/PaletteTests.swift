import Foundation
import Testing
import SkyImaging
@testable import SkyGeometry

@Suite("Palettes")
struct PaletteTests {
    @Test("every shipped palette loads, with unique colours and indices", arguments: ["isaid", "loveda", "potsdam",
                                                                                       "vaihingen", "second", "change"])
    func shipped(name: String) throws {
        let palette = try Palette.named(name)
        #expect(Palette.available.contains(name))
        #expect(palette.classes.count >= 2)
        #expect(palette.classes.allSatisfy { $0.index != palette.unusedIndex })
    }

    @Test("ISPRS indices follow mmsegmentation's converter, whose colour map is matched against BGR pixels",
          arguments: ["potsdam", "vaihingen"])
    func isprsOrder(name: String) throws {
        let palette = try Palette.named(name)
        let expected: [(UInt8, String, [UInt8])] = [
            (0, "boundary", [0, 0, 0]), (1, "impervious_surface", [255, 255, 255]), (2, "building", [0, 0, 255]),
            (3, "low_vegetation", [0, 255, 255]), (4, "tree", [0, 255, 0]), (5, "car", [255, 255, 0]),
            (6, "clutter", [255, 0, 0]),
        ]
        for (index, className, rgb) in expected {
            #expect(palette.className(of: index) == className)
            #expect(palette.classes.first { $0.index == index }?.rgb == rgb)
        }
        #expect(palette.defaultIgnore.sorted() == [0, 6])
    }

    @Test("iSAID's devkit colours map to its class ids")
    func isaidColours() throws {
        let palette = try Palette.named("isaid")
        #expect(palette.classes.count == 16)
        #expect(palette.className(of: 2) == "storage_tank")
        #expect(palette.index(ofClass: "Small_Vehicle") == 9)
        let image = RasterImage(width: 3, height: 1, layout: .rgb, pixels: [0, 63, 63, 0, 0, 127, 0, 100, 155])
        #expect(try palette.labelMask(from: image, path: "m.png").values == [2, 9, 15])
    }

    @Test("an unknown colour names the colour, its pixel count and its first position")
    func unknownColour() throws {
        let palette = try Palette.named("loveda")
        var pixels = [UInt8](repeating: 255, count: 4 * 3 * 3)
        for pixel in [5, 6, 11] { pixels[pixel * 3] = 1; pixels[pixel * 3 + 1] = 2; pixels[pixel * 3 + 2] = 3 }
        let image = RasterImage(width: 4, height: 3, layout: .rgb, pixels: pixels)
        #expect(throws: GeometryError.unknownColour(path: "mask.png", palette: "loveda", colour: "(1, 2, 3)",
                                                    pixelCount: 3, firstX: 1, firstY: 1)) {
            try palette.labelMask(from: image, path: "mask.png")
        }
        let mapped = try palette.labelMask(from: image, path: "mask.png", unknownColours: .mapTo(255))
        #expect(mapped.values.filter { $0 == 255 }.count == 3)
        #expect(mapped.values.filter { $0 == 1 }.count == 9)
        #expect("\(GeometryError.unknownColour(path: "a.png", palette: "p", colour: "(1, 2, 3)", pixelCount: 3, firstX: 1, firstY: 1))".contains("3 pixels, first at x=1, y=1"))
    }

    @Test("a malformed or unknown palette is a clear error")
    func badPalettes() {
        #expect(throws: GeometryError.self) { try Palette.named("no-such-palette") }
        #expect(throws: GeometryError.self) { try Palette.decode(Array("{\"classes\": 3}".utf8).data, name: "x") }
        #expect(throws: GeometryError.self) {
            try Palette(name: "x", classes: [.init(index: 1, name: "a", rgb: [1, 2, 3]),
                                             .init(index: 2, name: "b", rgb: [1, 2, 3])])
        }
    }

    @Test("a mask whose size differs from its image is an error naming the file")
    func sizeMismatch() {
        let mask = LabelMask(width: 4, height: 3)
        #expect(throws: GeometryError.maskSizeMismatch(path: "m.png", maskWidth: 4, maskHeight: 3, imageWidth: 4,
                                                       imageHeight: 4)) {
            try mask.requireSize(width: 4, height: 4, path: "m.png")
        }
        #expect(throws: GeometryError.self) { try LabelMask(width: 2, height: 2, values: [1, 2, 3]) }
    }
}

private extension Array where Element == UInt8 {
    var data: Foundation.Data { Foundation.Data(self) }
}
