import SkyCLIP
import SkyGeometry
import Testing
@testable import SkyText

/// B2C bounds captions with ``ClipTokenEstimate``; the real CLIP tokenizer (SkyCLIP, open_clip parity) must never
/// count more tokens than the estimate for what B2C and the change sentences write, so every caption fits 77.
@Suite struct CaptionTokenTests {
    @Test func estimateIsAnUpperBoundOfTheRealTokenizer() throws {
        let tokenizer = try CLIPTokenizer()
        let phrasings = try CaptionPhrasings.standard()
        let naming = RuleBasedClassNaming(phrasings: phrasings, table: .standard)
        let generator = try B2CGenerator(phrasings: phrasings)
        let changes = try ChangeSentenceGenerator(phrasings: try ChangePhrasings.standard())
        var random = SeededRandom(seed: 77)
        let classes = B2CPropertyTests.universe + ["container crane", "expressway service area", "helipad",
                                                   "overpass", "windmill", "golf field", "dam", "chimney"]
        var longest = 0
        for index in 0..<1_500 {
            let objects = (0..<(1 + random.below(40))).map { _ in
                B2CObject(name: naming.name(for: random.pick(classes)),
                          box: AxisBox(x: Double(random.below(1000)), y: Double(random.below(1000)), width: 9, height: 9),
                          origin: random.below(5) == 0 ? .m2b : .annotation)
            }
            var texts = generator.captions(for: objects, imageSize: ImageSize(width: 1024, height: 1024), seed: 1,
                                           identity: "t\(index)").map(\.text)
            let regions = (0..<random.below(14)).map { _ in
                ChangeRegion(box: AxisBox(x: Double(random.below(500)), y: Double(random.below(500)), width: 9, height: 9),
                             pixelCount: 1 + random.below(5_000),
                             before: naming.name(for: random.pick(ChangeSentenceTests.secondClasses)),
                             after: naming.name(for: random.pick(ChangeSentenceTests.secondClasses)))
            }
            texts += changes.sentences(regions: regions, imageSize: ImageSize(width: 512, height: 512), seed: 1,
                                       identity: "c\(index)").map(\.text)
            for text in texts {
                let real = tokenizer.encode(text).count + 2
                longest = max(longest, real)
                #expect(real <= ClipTokenEstimate.count(text), "'\(text)': \(real) tokens, estimated \(ClipTokenEstimate.count(text))")
                #expect(real <= 77)
            }
        }
        #expect(longest > 15)
    }
}
