import SkyGeometry
import Testing
@testable import SkyText

/// Pins the exact output for one input and seed: the captions must be the same on every machine.
@Suite struct B2CGoldenTests {
    @Test func fixedInputGivesFixedCaptions() throws {
        let phrasings = try CaptionPhrasings.standard()
        let naming = RuleBasedClassNaming(phrasings: phrasings)
        let generator = try B2CGenerator(phrasings: phrasings)
        var objects = [B2CObject(name: naming.name(for: "plane"), box: AxisBox(x: 500, y: 500, width: 60, height: 60))]
        objects += (0..<4).map { B2CObject(name: naming.name(for: "large vehicle"),
                                           box: AxisBox(x: Double($0) * 20, y: 10, width: 15, height: 8)) }
        objects += (0..<12).map { B2CObject(name: naming.name(for: "small vehicle"),
                                            box: AxisBox(x: Double($0) * 20, y: 990, width: 6, height: 4)) }
        objects.append(B2CObject(name: naming.name(for: "water"), box: AxisBox(x: 0, y: 0, width: 300, height: 900),
                                 origin: .m2b))
        let captions = generator.captions(for: objects, imageSize: ImageSize(width: 1024, height: 1024),
                                          seed: 0, identity: "golden/P0001.png")
        #expect(captions.map(\.rule) == [.center, .edge, .count, .count, .count])
        #expect(captions.map(\.text) == Self.expected)
    }

    static let expected: [String] = [
        "A plane is at the center of the scene.",
        "Lots of small vehicles, 4 large vehicles and an area of water are located near the border of this remote sensing picture.",
        "A plane, an area of water, 4 large vehicles and many small vehicles are in the scene.",
        "A plane is located in the picture.",
        "A plane, a lot of small vehicles, 4 large vehicles and a patch of water can be seen in this aerial image.",
    ]
}
