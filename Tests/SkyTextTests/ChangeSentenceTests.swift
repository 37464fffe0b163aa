import Foundation
import SkyGeometry
import SkyImaging
import Testing
@testable import SkyText

/// Change sentences: property tests that counts, positions and shares match the regions, determinism,
/// and the real LEVIR-CD labels (printed with prefix `change-real`).
@Suite struct ChangeSentenceTests {
    let phrasings: ChangePhrasings
    let generator: ChangeSentenceGenerator
    let naming: RuleBasedClassNaming

    init() throws {
        phrasings = try ChangePhrasings.standard()
        generator = try ChangeSentenceGenerator(phrasings: phrasings)
        naming = RuleBasedClassNaming(phrasings: try CaptionPhrasings.standard())
    }

    static let secondClasses = ["water", "ground", "low vegetation", "tree", "building", "sports field"]

    func randomRegions(_ random: inout SeededRandom, size: ImageSize, semantic: Bool) -> [ChangeRegion] {
        (0..<random.below(16)).map { _ in
            let width = Double(1 + random.below(120)), height = Double(1 + random.below(120))
            let box = AxisBox(x: Double(random.below(Int(size.width - width))), y: Double(random.below(Int(size.height - height))),
                              width: width, height: height)
            let pixels = max(1, Int(width * height) / (1 + random.below(3)))
            guard semantic else { return ChangeRegion(box: box, pixelCount: pixels) }
            return ChangeRegion(box: box, pixelCount: pixels,
                                before: naming.name(for: random.pick(Self.secondClasses)),
                                after: naming.name(for: random.pick(Self.secondClasses)))
        }
    }

    /// The position phrases a sentence names, in no particular order.
    func namedPositions(_ text: String) -> Set<ChangePosition> {
        Set(ChangePosition.allCases.filter { position in
            guard let phrase = phrasings.positions[position.rawValue] else { return false }
            return text.contains(phrase)
        })
    }

    @Test func sentencesAreTrueToTheRegions() throws {
        var random = SeededRandom(seed: 11)
        for index in 0..<1_500 {
            let size = ImageSize(width: Double(256 + random.below(800)), height: Double(256 + random.below(800)))
            let regions = randomRegions(&random, size: size, semantic: index % 2 == 0)
            let sentences = generator.sentences(regions: regions, imageSize: size, seed: 3, identity: "pair\(index)")
            #expect(Set(sentences.map(\.text)).count == sentences.count)
            if regions.isEmpty {
                #expect(sentences.count == 5 && sentences.allSatisfy { $0.rule == .noChange })
                #expect(Set(sentences.map(\.text)) == Set(phrasings.noChange))
                continue
            }
            #expect(sentences.count == 5)
            let expectedCount = regions.count <= 10 ? phrasings.numberWords[regions.count] : "many"
            let cells = Set(regions.map { ChangePosition(of: $0.box, in: size) })
            let pixels = Double(regions.reduce(0) { $0 + $1.pixelCount })
            let shares = [pixels, Double(regions.map(\.pixelCount).max() ?? 0)].map {
                ChangeSentenceGenerator.percent(min(1, $0 / (size.width * size.height)))
            }
            for sentence in sentences {
                let words = sentence.text.split(separator: " ").map(String.init)
                #expect(sentence.text == sentence.text.lowercased() && !sentence.text.hasSuffix("."))
                #expect(!sentence.text.contains("  ") && !sentence.text.contains("{"))
                switch sentence.rule {
                case .count, .combined:
                    #expect(words.contains(expectedCount), "'\(sentence.text)' for \(regions.count) regions")
                    let numbers = words.filter { phrasings.numberWords.contains($0) || $0 == "many" }
                    #expect(numbers == [expectedCount], "'\(sentence.text)'")
                    if regions.count == 1 { #expect(!sentence.text.contains("areas")) }
                case .size:
                    let stated = words.filter { $0.hasSuffix("%") }
                    #expect(!stated.isEmpty && stated.allSatisfy { share in shares.contains { $0.hasSuffix(share) } },
                            "'\(sentence.text)' vs \(shares)")
                case .semantic:
                    #expect(index % 2 == 0)
                    for part in sentence.text.components(separatedBy: " and ") {
                        let named = regions.contains { region in
                            guard let before = region.before, let after = region.after else { return false }
                            let from = before.isMass ? before.singular : before.plural
                            let to = after.isMass ? after.singular : after.plural
                            let at = phrasings.positions[ChangePosition(of: region.box, in: size).rawValue] ?? "?"
                            return part.hasPrefix(from + " ") && part.contains(" " + to + " ")
                                && cells.contains { part.hasSuffix(" " + (phrasings.positions[$0.rawValue] ?? "?")) }
                                && !at.isEmpty
                        }
                        #expect(named, "'\(part)' names no transition of the regions")
                    }
                case .location, .noChange:
                    break
                }
                if sentence.rule == .location || sentence.rule == .combined {
                    let named = namedPositions(sentence.text)
                    #expect(!named.isEmpty && named.isSubset(of: cells), "'\(sentence.text)' vs \(cells)")
                    #expect(named.count == min(3, cells.count))
                }
            }
        }
    }

    /// From masks, not from regions: random non-touching rectangles drawn into a change mask, regions by M2B,
    /// and the sentences checked against the rectangles as drawn.
    @Test func sentencesMatchTheMask() throws {
        var random = SeededRandom(seed: 99)
        let side = 240
        for index in 0..<300 {
            var values = [UInt8](repeating: 0, count: side * side)
            // At most one rectangle per cell of a 6 x 6 layout, inset so that no two touch.
            let cells = random.shuffled(Array(0..<36)).prefix(random.below(14))
            var rectangles: [AxisBox] = []
            for cell in cells {
                let cellX = (cell % 6) * 40, cellY = (cell / 6) * 40
                let width = 2 + random.below(30), height = 2 + random.below(30)
                let x = cellX + 2 + random.below(36 - width), y = cellY + 2 + random.below(36 - height)
                for row in y..<(y + height) { for column in x..<(x + width) { values[row * side + column] = 255 } }
                rectangles.append(AxisBox(x: Double(x), y: Double(y), width: Double(width), height: Double(height)))
            }
            let mask = try LabelMask(width: side, height: side, values: values)
            let regions = M2B.boxes(in: mask, options: M2BOptions(ignoredClasses: [0])).map {
                ChangeRegion(box: $0.box.axisBox, pixelCount: max(1, Int($0.contourArea.rounded())))
            }
            #expect(regions.count == rectangles.count)
            let size = ImageSize(width: Double(side), height: Double(side))
            let changed = values.filter { $0 != 0 }.count
            let sentences = generator.sentences(regions: regions, imageSize: size, changedPixels: changed, seed: 4,
                                                identity: "mask\(index)")
            let drawnCells = Set(rectangles.map { ChangePosition(of: $0, in: size) })
            let countWord = rectangles.isEmpty ? nil
                : rectangles.count <= 10 ? phrasings.numberWords[rectangles.count] : "many"
            let share = ChangeSentenceGenerator.percent(Double(changed) / Double(side * side))
            for sentence in sentences {
                let words = sentence.text.split(separator: " ").map(String.init)
                switch sentence.rule {
                case .noChange: #expect(rectangles.isEmpty)
                case .count: #expect(countWord.map(words.contains) == true, "'\(sentence.text)' for \(rectangles.count)")
                case .combined:
                    #expect(countWord.map(words.contains) == true, "'\(sentence.text)' for \(rectangles.count)")
                    #expect(namedPositions(sentence.text).isSubset(of: drawnCells))
                case .location: #expect(namedPositions(sentence.text).isSubset(of: drawnCells), "'\(sentence.text)'")
                case .size:
                    if sentence.text.hasPrefix("about") || sentence.text.hasPrefix("the changed") {
                        #expect(words.contains(share) || sentence.text.contains(share), "'\(sentence.text)' vs \(share)")
                    }
                case .semantic: Issue.record("a binary mask has no semantic change: '\(sentence.text)'")
                }
            }
        }
    }

    @Test func positionsFollowTheGrid() {
        let size = ImageSize(width: 300, height: 300)
        #expect(ChangePosition(of: AxisBox(x: 0, y: 0, width: 10, height: 10), in: size) == .topLeft)
        #expect(ChangePosition(of: AxisBox(x: 140, y: 140, width: 20, height: 20), in: size) == .center)
        #expect(ChangePosition(of: AxisBox(x: 290, y: 150, width: 10, height: 10), in: size) == .right)
        #expect(ChangePosition(of: AxisBox(x: 250, y: 290, width: 50, height: 10), in: size) == .bottomRight)
    }

    @Test func semanticChangeSaysWhatBecameWhat() throws {
        let size = ImageSize(width: 512, height: 512)
        let regions = [
            ChangeRegion(box: AxisBox(x: 10, y: 10, width: 100, height: 100), pixelCount: 9_000,
                         before: naming.name(for: "low vegetation"), after: naming.name(for: "building")),
            ChangeRegion(box: AxisBox(x: 400, y: 400, width: 20, height: 20), pixelCount: 300,
                         before: naming.name(for: "tree"), after: naming.name(for: "water")),
        ]
        let semantic = try #require(generator.sentences(regions: regions, imageSize: size, seed: 0, identity: "s")
            .first { $0.rule == .semantic })
        // Each transition says where it happened: the grid cell of its region.
        let first = ["low vegetation was replaced by buildings", "low vegetation has turned into buildings",
                     "low vegetation became buildings"].map { $0 + " in the top left corner" }
        let second = ["trees were replaced by water", "trees have turned into water", "trees became water"]
            .map { $0 + " in the bottom right corner" }
        #expect(first.flatMap { one in second.map { one + " and " + $0 } }.contains(semantic.text), "\(semantic.text)")
    }

    @Test func sameSeedSameSentences() {
        var random = SeededRandom(seed: 5)
        var differing = 0
        for index in 0..<100 {
            let size = ImageSize(width: 512, height: 512)
            let regions = randomRegions(&random, size: size, semantic: true)
            let first = generator.sentences(regions: regions, imageSize: size, seed: 1, identity: "p\(index)")
            #expect(first == generator.sentences(regions: regions, imageSize: size, seed: 1, identity: "p\(index)"))
            if first != generator.sentences(regions: regions, imageSize: size, seed: 2, identity: "p\(index)") { differing += 1 }
        }
        #expect(differing > 50)
    }

    @Test(.enabled(if: RealData.isPresent, "../shared/realdata is absent"))
    func levirCDLabels() throws {
        let labels = RealData.files(in: "levir-cd/label", suffix: ".png")
        #expect(labels.count == 11)
        for label in labels {
            let mask = try LabelMask.load(path: RealData.path(label))
            let regions = M2B.boxes(in: mask, options: M2BOptions(ignoredClasses: [0])).map {
                ChangeRegion(box: $0.box.axisBox, pixelCount: max(1, Int($0.contourArea.rounded())))
            }
            let changed = mask.values.filter { $0 != 0 }.count
            let size = ImageSize(width: Double(mask.width), height: Double(mask.height))
            let name = (label as NSString).lastPathComponent
            let sentences = generator.sentences(regions: regions, imageSize: size, changedPixels: changed, seed: 0,
                                                identity: "levir-cd/" + name)
            for sentence in sentences { print("change-real \(name) [\(sentence.rule.rawValue)] \(sentence.text)") }
            if name.hasPrefix("train_386") {
                #expect(regions.isEmpty && sentences.allSatisfy { $0.rule == .noChange })
            } else {
                #expect(!regions.isEmpty && sentences.count == 5)
            }
        }
    }
}
