import SkyGeometry
import Testing
@testable import SkyText

/// Property tests over many random object sets: every caption must be true to the boxes.
@Suite struct B2CPropertyTests {
    static let universe: [String] = [
        "plane", "ship", "storage tank", "baseball diamond", "tennis court", "basketball court",
        "ground track field", "harbor", "bridge", "large vehicle", "small vehicle", "helicopter",
        "roundabout", "soccer ball field", "swimming pool", "bus", "person", "water", "forest", "building",
        "barren area",
    ]

    let phrasings: CaptionPhrasings
    let naming: RuleBasedClassNaming
    let checker: CaptionChecker

    init() throws {
        phrasings = try CaptionPhrasings.standard()
        naming = RuleBasedClassNaming(phrasings: phrasings)
        checker = CaptionChecker(phrasings: phrasings)
    }

    /// A random image: 1 to 6 classes, 1 to 25 objects each, some from M2B, some flagged.
    func randomImage(_ random: inout SeededRandom) -> (objects: [B2CObject], size: ImageSize) {
        let size = ImageSize(width: Double(200 + random.below(1800)), height: Double(200 + random.below(1800)))
        var objects: [B2CObject] = []
        let classes = random.shuffled(Self.universe).prefix(1 + random.below(6))
        for raw in classes {
            let origin: ObjectOrigin = random.below(4) == 0 ? .m2b : .annotation
            let count = random.below(3) == 0 ? 11 + random.below(15) : 1 + random.below(10)
            for _ in 0..<count {
                let width = Double(4 + random.below(60)), height = Double(4 + random.below(60))
                let box = AxisBox(x: Double(random.below(Int(size.width - width))),
                                  y: Double(random.below(Int(size.height - height))), width: width, height: height)
                objects.append(B2CObject(name: naming.name(for: raw), box: box, origin: origin,
                                         difficult: random.below(10) == 0, ignore: random.below(15) == 0))
            }
        }
        return (objects, size)
    }

    /// Per class and origin, how many objects of `objects` (kept ones only).
    func counts(_ objects: [B2CObject]) -> [String: (count: Int, isArea: Bool)] {
        var result: [String: (count: Int, isArea: Bool)] = [:]
        for object in objects {
            result[object.name.singular, default: (0, object.origin == .m2b)].count += 1
        }
        return result
    }

    @Test func captionsAreTrueToTheBoxes() throws {
        let generator = try B2CGenerator(phrasings: phrasings)
        var random = SeededRandom(seed: 2024)
        var checkedCaptions = 0
        for imageIndex in 0..<2_000 {
            let (objects, size) = randomImage(&random)
            let kept = objects.filter { !$0.ignore }
            let captions = generator.captions(for: objects, imageSize: size, seed: 1, identity: "img\(imageIndex)")
            if kept.isEmpty {
                #expect(captions.isEmpty)
                continue
            }
            // Five distinct captions: the count templates alone always allow it.
            #expect(captions.count == 5)
            #expect(Set(captions.map(\.text)).count == captions.count)
            let central = kept.filter { generator.options.isCentral($0.box, in: size) }
            let outer = kept.filter { !generator.options.isCentral($0.box, in: size) }
            let allNames = Self.universe.map { naming.name(for: $0) }
            for caption in captions {
                checkedCaptions += 1
                let region: [B2CObject] = switch caption.rule {
                case .center: central
                case .edge: outer
                case .count: kept
                }
                let truth = counts(region)
                var named = 0
                for name in allNames {
                    guard let stated = checker.quantity(of: name, in: caption.text) else { continue }
                    named += 1
                    let actual = try #require(truth[name.singular],
                                              "'\(caption.text)' names \(name.singular), absent from its \(caption.rule) region")
                    #expect(CaptionChecker.matches(stated, count: actual.count, isArea: actual.isArea),
                            "'\(caption.text)': \(name.singular) stated \(stated), actual \(actual)")
                }
                #expect(named >= 1, "'\(caption.text)' names no class")
                #expect(checker.formProblems(caption.text, names: allNames).isEmpty,
                        "'\(caption.text)': \(checker.formProblems(caption.text, names: allNames))")
                #expect(ClipTokenEstimate.count(caption.text) <= 77)
            }
            // Location rules come first and only when their region has objects.
            #expect(captions.contains { $0.rule == .center } == !central.isEmpty)
            #expect(captions.contains { $0.rule == .edge } == !outer.isEmpty)
        }
        #expect(checkedCaptions > 8_000)
    }

    @Test func areasAreNeverCounted() throws {
        let generator = try B2CGenerator(phrasings: phrasings)
        for count in [1, 2, 7, 12, 40] {
            let named = (0..<count).map { index in
                B2CObject(name: naming.name(for: "water area"),
                          box: AxisBox(x: Double(index * 10), y: 5, width: 8, height: 8), origin: .m2b)
            }
            for caption in generator.captions(for: named, imageSize: ImageSize(width: 500, height: 500), seed: 9,
                                              identity: "named\(count)") {
                #expect(!caption.text.contains { $0.isNumber }, "'\(caption.text)' counts an area")
                #expect(!caption.text.contains("area of water area") && !caption.text.contains("areas of water area")
                        && !caption.text.contains("with water area") && !caption.text.contains("patch"))
                #expect(caption.text.lowercased().contains(count == 1 ? "a water area" : "water areas"))
            }
            let objects = (0..<count).map { index in
                B2CObject(name: naming.name(for: "forest"),
                          box: AxisBox(x: Double(index * 10), y: 5, width: 8, height: 8), origin: .m2b)
            }
            let captions = generator.captions(for: objects, imageSize: ImageSize(width: 500, height: 500),
                                              seed: 9, identity: "areas\(count)")
            #expect(captions.count == 5)
            for caption in captions {
                #expect(!caption.text.contains { $0.isNumber }, "'\(caption.text)' counts an area")
                #expect(!caption.text.lowercased().contains("forests"))
            }
        }
    }

    @Test func sameSeedSameCaptionsOtherSeedOtherCaptions() throws {
        let generator = try B2CGenerator(phrasings: phrasings)
        var random = SeededRandom(seed: 77)
        var differing = 0
        for index in 0..<200 {
            let (objects, size) = randomImage(&random)
            let first = generator.captions(for: objects, imageSize: size, seed: 5, identity: "d/\(index).png")
            let again = generator.captions(for: objects, imageSize: size, seed: 5, identity: "d/\(index).png")
            let reseeded = generator.captions(for: objects, imageSize: size, seed: 6, identity: "d/\(index).png")
            #expect(first == again)
            // Object order is not part of the identity: shuffling the input gives the same captions.
            var shuffler = SeededRandom(seed: UInt64(index))
            let shuffled = generator.captions(for: shuffler.shuffled(objects), imageSize: size, seed: 5,
                                              identity: "d/\(index).png")
            #expect(first == shuffled)
            if first != reseeded { differing += 1 }
        }
        #expect(differing > 150)
    }

    @Test func centerAndEdgeFollowTheBoxCentres() throws {
        let generator = try B2CGenerator(phrasings: phrasings)
        let size = ImageSize(width: 1000, height: 800)
        let ship = B2CObject(name: naming.name(for: "ship"), box: AxisBox(x: 480, y: 380, width: 40, height: 40))
        let buses = (0..<3).map { index in
            B2CObject(name: naming.name(for: "bus"), box: AxisBox(x: 10 + Double(index) * 30, y: 10, width: 20, height: 20))
        }
        let captions = generator.captions(for: [ship] + buses, imageSize: size, seed: 3, identity: "x")
        let center = try #require(captions.first { $0.rule == .center })
        let edge = try #require(captions.first { $0.rule == .edge })
        #expect(checker.quantity(of: naming.name(for: "ship"), in: center.text) == .exactly(1))
        #expect(checker.quantity(of: naming.name(for: "bus"), in: center.text) == nil)
        #expect(checker.quantity(of: naming.name(for: "bus"), in: edge.text) == .exactly(3))
        #expect(edge.text.contains("buses"))
        // Widening the central region to the whole image moves the buses to the centre.
        let wide = try B2CGenerator(phrasings: phrasings, options: B2COptions(centerFraction: 1))
        let wideCaptions = wide.captions(for: [ship] + buses, imageSize: size, seed: 3, identity: "x")
        #expect(!wideCaptions.contains { $0.rule == .edge })
    }

    @Test func ignoredAndDifficultObjectsFollowThePolicy() throws {
        let size = ImageSize(width: 100, height: 100)
        let plane = B2CObject(name: naming.name(for: "plane"), box: AxisBox(x: 40, y: 40, width: 10, height: 10))
        var crowd = B2CObject(name: naming.name(for: "person"), box: AxisBox(x: 0, y: 0, width: 30, height: 30))
        crowd.ignore = true
        var hidden = B2CObject(name: naming.name(for: "helicopter"), box: AxisBox(x: 60, y: 60, width: 5, height: 5))
        hidden.difficult = true
        let include = try B2CGenerator(phrasings: phrasings)
        let exclude = try B2CGenerator(phrasings: phrasings, options: B2COptions(difficult: .exclude))
        let all = [plane, crowd, hidden]
        let included = include.captions(for: all, imageSize: size, seed: 1, identity: "p").map(\.text).joined()
        let excluded = exclude.captions(for: all, imageSize: size, seed: 1, identity: "p").map(\.text).joined()
        #expect(!included.contains("people") && !included.contains("person"))
        #expect(included.contains("helicopter"))
        #expect(!excluded.contains("helicopter"))
        #expect(include.captions(for: [crowd], imageSize: size, seed: 1, identity: "p").isEmpty)
        #expect(include.captions(for: [], imageSize: size, seed: 1, identity: "p").isEmpty)
    }

    @Test func withoutAnImageSizeOnlyCountCaptions() throws {
        let generator = try B2CGenerator(phrasings: phrasings)
        let ship = B2CObject(name: naming.name(for: "ship"), box: AxisBox(x: 1, y: 1, width: 2, height: 2))
        let captions = generator.captions(for: [ship], imageSize: nil, seed: 1, identity: "s")
        #expect(captions.count == 5)
        #expect(captions.allSatisfy { $0.rule == .count })
    }

    @Test(arguments: [
        B2COptions(perImage: 0), B2COptions(centerFraction: 0), B2COptions(centerFraction: 1.5),
        B2COptions(maxClassesPerCaption: 0), B2COptions(tokenLimit: 200),
    ])
    func badOptionsAreRejected(options: B2COptions) {
        #expect(throws: TextError.self) { try B2CGenerator(phrasings: phrasings, options: options) }
    }

    @Test func manyClassesStayInsideTheTokenLimit() throws {
        let generator = try B2CGenerator(phrasings: phrasings, options: B2COptions(maxClassesPerCaption: 20,
                                                                                 tokenLimit: 30))
        let objects = Self.universe.map { B2CObject(name: naming.name(for: $0), box: AxisBox(x: 50, y: 50, width: 1, height: 1)) }
        for caption in generator.captions(for: objects, imageSize: ImageSize(width: 100, height: 100), seed: 1, identity: "u") {
            #expect(ClipTokenEstimate.count(caption.text) <= 30, "'\(caption.text)'")
        }
    }
}
