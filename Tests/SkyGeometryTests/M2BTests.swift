import Foundation
import Testing
@testable import SkyGeometry
import SkyTestSupport


/// A random label mask: rectangles and rings of a few classes painted over noise.
func randomLabelMask(_ random: inout SplitMix64, classes: Int) -> LabelMask {
    let width = Int.random(in: 1...40, using: &random), height = Int.random(in: 1...40, using: &random)
    var mask = LabelMask(width: width, height: height)
    let noise = Double.random(in: 0...0.6, using: &random)
    for index in mask.values.indices where Double.random(in: 0..<1, using: &random) < noise {
        mask.values[index] = UInt8.random(in: 0..<UInt8(classes), using: &random)
    }
    for _ in 0..<Int.random(in: 0...6, using: &random) {
        let value = UInt8.random(in: 0..<UInt8(classes), using: &random)
        let x0 = Int.random(in: 0..<width, using: &random), y0 = Int.random(in: 0..<height, using: &random)
        let x1 = Int.random(in: x0..<width, using: &random), y1 = Int.random(in: y0..<height, using: &random)
        let ring = Bool.random(using: &random)
        for y in y0...y1 {
            for x in x0...x1 where !ring || x == x0 || x == x1 || y == y0 || y == y1 {
                mask[x, y] = value
            }
        }
    }
    return mask
}

/// The per-class reference pipeline: binarise, `findContours(RETR_EXTERNAL)`, `boundingRect`, `contourArea`.
func perClassReference(_ mask: LabelMask, ignoring ignored: Set<UInt8> = []) -> [ClassRegion] {
    mask.presentValues.filter { !ignored.contains($0) }.flatMap { value in
        Contours.find(in: mask, value: value, mode: .external, approximation: .simple).contours.map { contour in
            ClassRegion(classValue: value, box: ShapeMeasures.boundingRect(contour),
                        contourArea: ShapeMeasures.contourArea(contour), polygon: contour)
        }
    }
}

@Suite("M2B: masks to boxes")
struct M2BTests {
    @Test("one pass over all classes equals the per-class findContours(RETR_EXTERNAL) pipeline")
    func matchesPerClassPipeline() {
        var random = SplitMix64(seed: 42)
        var regions = 0
        for _ in 0..<1500 {
            let mask = randomLabelMask(&random, classes: Int.random(in: 2...6, using: &random))
            let expected = perClassReference(mask)
            let actual = M2B.boxes(in: mask, options: M2BOptions(keepPolygons: true))
            #expect(actual == expected)
            if actual != expected { return }
            regions += actual.count
        }
        #expect(regions > 10000)
    }

    @Test("ignored classes, minimum area and rotated boxes")
    func options() throws {
        var mask = LabelMask(width: 12, height: 8)
        for y in 1...4 { for x in 1...6 { mask[x, y] = 2 } }  // 6x4 block: contour area 5*3 = 15
        mask[9, 6] = 2  // a single pixel: area 0
        mask[10, 1] = 3
        let all = M2B.boxes(in: mask)
        #expect(all.map(\.classValue) == [0, 2, 2, 3])
        // OpenCV order within a class: last found first.
        #expect(all.filter { $0.classValue == 2 }.map(\.box) == [
            PixelRect(x: 9, y: 6, width: 1, height: 1), PixelRect(x: 1, y: 1, width: 6, height: 4),
        ])
        let filtered = M2B.boxes(in: mask, options: M2BOptions(minimumArea: 1, ignoredClasses: [0]))
        #expect(filtered == [ClassRegion(classValue: 2, box: PixelRect(x: 1, y: 1, width: 6, height: 4),
                                         contourArea: 15)])
        let rotated = try #require(M2B.boxes(in: mask, classValue: 2, options: M2BOptions(rotated: true)).last)
        #expect(rotated.rotatedBox == RotatedBox(center: Point2D(x: 3.5, y: 2.5), width: 3, height: 5, angle: -90))
        let legacy = M2B.boxes(in: mask, classValue: 2, options: M2BOptions(rotated: true, rotatedConvention: .legacy))
        #expect(legacy.last?.rotatedBox?.angle == 90)
    }

    @Test("a region inside another region's hole of the same class gets no box; other classes' holes do not matter")
    func nestedRegions() {
        var mask = LabelMask(width: 9, height: 9)
        for y in 0..<9 { for x in 0..<9 where x == 0 || y == 0 || x == 8 || y == 8 { mask[x, y] = 1 } }
        mask[4, 4] = 1  // inside the ring's hole: dropped, as RETR_EXTERNAL drops it
        mask[2, 2] = 2  // another class inside the hole: kept
        let boxes = M2B.boxes(in: mask, options: M2BOptions(ignoredClasses: [0]))
        #expect(boxes.map(\.classValue) == [1, 2])
        #expect(boxes.first?.box == PixelRect(x: 0, y: 0, width: 9, height: 9))
    }

    @Test("empty and single-class masks")
    func degenerate() {
        #expect(M2B.boxes(in: LabelMask(width: 0, height: 0)).isEmpty)
        let full = M2B.boxes(in: LabelMask(width: 5, height: 3, filledWith: 7))
        #expect(full == [ClassRegion(classValue: 7, box: PixelRect(x: 0, y: 0, width: 5, height: 3), contourArea: 8)])
    }
}
