import Foundation
import SkyDatasets
import SkyGeometry
import Testing

/// The common annotation model round-trips through JSON with its optional shapes and flags.
@Suite struct AnnotationModelTests {
    @Test func roundTripsThroughJSON() throws {
        let object = AnnotatedObject(
            rawClass: "small-vehicle", box: AxisBox(x: 1, y: 2, width: 3, height: 4),
            rotated: RotatedBox(center: Point2D(x: 2.5, y: 4), width: 3, height: 4, angle: -30),
            polygon: [Point2D(x: 1, y: 2), Point2D(x: 4, y: 2), Point2D(x: 4, y: 6)], difficult: true)
        let image = AnnotatedImage(relativePath: "images/P0001.png", width: 800, height: 600, split: "train",
                                   objects: [object])
        let decoded = try JSONDecoder().decode(AnnotatedImage.self, from: JSONEncoder().encode(image))
        #expect(decoded == image)
        #expect(decoded.objects[0].box.maxX == 4 && decoded.objects[0].box.maxY == 6)
        #expect(!decoded.objects[0].ignore && decoded.objects[0].difficult)
    }
}
