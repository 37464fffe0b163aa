import Testing
@testable import SkyText

@Suite struct EnglishGrammarTests {
    @Test(arguments: [
        ("ship", "ships"), ("bus", "buses"), ("storage tank", "storage tanks"),
        ("ground track field", "ground track fields"), ("person", "people"), ("ferry", "ferries"),
        ("box", "boxes"), ("harbor", "harbors"), ("bench", "benches"), ("runway", "runways"),
        ("baseball diamond", "baseball diamonds"), ("small vehicle", "small vehicles"), ("aircraft", "aircraft"),
    ])
    func plural(singular: String, expected: String) {
        #expect(EnglishGrammar.plural(of: singular) == expected)
    }

    @Test(arguments: [
        ("ship", "a"), ("airplane", "an"), ("harbor", "a"), ("hour", "an"), ("unit", "a"), ("umbrella", "an"),
        ("oil tank", "an"), ("European city", "a"), ("island", "an"),
    ])
    func article(word: String, expected: String) {
        #expect(EnglishGrammar.indefiniteArticle(before: word) == expected)
    }

    @Test func listsJoinWithCommasAndAnd() {
        #expect(EnglishGrammar.joinList([]) == "")
        #expect(EnglishGrammar.joinList(["a ship"]) == "a ship")
        #expect(EnglishGrammar.joinList(["a ship", "3 cars"]) == "a ship and 3 cars")
        #expect(EnglishGrammar.joinList(["a", "b", "c"]) == "a, b and c")
    }

    @Test func sentencesGetOneCapitalAndOnePeriod() {
        #expect(EnglishGrammar.capitalizingFirstLetter("three ships.") == "Three ships.")
        #expect(EnglishGrammar.endingWithOnePeriod("a ship..") == "a ship.")
        #expect(EnglishGrammar.endingWithOnePeriod("a ship") == "a ship.")
    }

    @Test func ruleBasedNamingKeepsMassNounsSingular() throws {
        let naming = RuleBasedClassNaming(phrasings: try CaptionPhrasings.standard())
        #expect(naming.name(for: "water") == ClassName(singular: "water", plural: "water", isMass: true))
        #expect(naming.name(for: "bus") == ClassName(singular: "bus", plural: "buses", isMass: false))
    }

    @Test func seededRandomIsFixedAndSpreads() {
        var first = SeededRandom(seed: 42, identity: "dota/P0003.png")
        var second = SeededRandom(seed: 42, identity: "dota/P0003.png")
        var other = SeededRandom(seed: 43, identity: "dota/P0003.png")
        let a = (0..<8).map { _ in first.next() }
        #expect(a == (0..<8).map { _ in second.next() })
        #expect(a != (0..<8).map { _ in other.next() })
        var histogram = [Int](repeating: 0, count: 5)
        var random = SeededRandom(seed: 7)
        for _ in 0..<10_000 { histogram[random.below(5)] += 1 }
        #expect(histogram.allSatisfy { $0 > 1_800 && $0 < 2_200 })
        // SplitMix64's published first output for seed 0 pins the stream across machines.
        var zero = SeededRandom(seed: 0)
        #expect(zero.next() == 0xe220_a839_7b1d_cdaf)
    }

    @Test func tokenEstimateCountsDigitsAndPunctuation() {
        // "There are 12 ships." = There, are, 1, 2, ships, "." plus start and end.
        #expect(ClipTokenEstimate.count("There are 12 ships.") == 8)
        #expect(ClipTokenEstimate.count("") == 2)
    }
}

@Suite struct ClassTableNamingTests {
    @Test func tablePluralsAreUsedWhenTheyAgreeOnTheSingular() throws {
        let table = ClassTable(families: [ClassTable.Family(name: "t", datasetPrefixes: ["t"], classes: [
            "ferry-boat": ClassName(singular: "ferry boat", plural: "ferry boats"),
            "Person": ClassName(singular: "person", plural: "persons"),
            "water": ClassName(singular: "water area", plural: "water areas"),
        ])])
        let naming = RuleBasedClassNaming(phrasings: try CaptionPhrasings.standard(), table: table)
        #expect(naming.name(for: "person").plural == "persons")          // the table wins over the rule
        #expect(naming.name(for: "ferry boat").plural == "ferry boats")
        #expect(naming.name(for: "water") == ClassName(singular: "water", plural: "water", isMass: true))
        #expect(naming.name(for: "bus").plural == "buses")               // not in the table: by rule
        let shipped = RuleBasedClassNaming(phrasings: try CaptionPhrasings.standard(), table: .standard)
        #expect(shipped.name(for: "storage tank").plural == "storage tanks")
        #expect(shipped.name(for: "ground track field").plural == "ground track fields")
    }
}
