/// Change sentences in LEVIR-CC's style from the changed regions of a change mask.
///
/// An empty mask gets the no-change sentences. Otherwise each rule speaks about the regions: how many
/// (exact words up to ten, "many" above), where (the 3 x 3 grid cells of the region centres, largest
/// changed area first, at most three named), how large (share of the image that changed, and of the
/// largest region), what changed into what and where for semantic masks (by changed pixels, at most two
/// transitions, each placed in the grid cell holding most of its pixels), and count with location together. Random choices (phrasings) derive from the seed and the
/// pair's identity, so the same input and seed give the same sentences anywhere.
public struct ChangeSentenceGenerator: Sendable {
    /// The phrasings chosen among.
    public let phrasings: ChangePhrasings
    /// Sentences per pair (at most; fewer when the rules cannot give that many distinct ones).
    public let perPair: Int

    static let slots: Set<String> = ["count", "areas", "be", "have", "appear", "changes", "aChange", "where", "share",
                                     "largest", "size", "transitions", "from", "to", "was", "has", "at"]

    /// A generator; `perPair` must be 1 to 20.
    /// Sentences per pair when none is given (LEVIR-CC has five per pair).
    public static let defaultPerPair = 5

    public init(phrasings: ChangePhrasings, perPair: Int = ChangeSentenceGenerator.defaultPerPair) throws(TextError) {
        guard perPair >= 1 && perPair <= 20 else {
            throw .invalidOption(name: "per-pair", value: "\(perPair)", expected: "an integer from 1 to 20")
        }
        self.phrasings = phrasings
        self.perPair = perPair
    }

    /// The sentences for one change mask of `imageSize` with `regions` (empty when nothing changed).
    /// Each region's `pixelCount` is its number of pixels (not a contour area, which understates small
    /// regions). `changedPixels`, when known, is the exact count of changed pixels (it also counts pixels that
    /// M2B gives no region of their own, such as a change inside a hole of another); otherwise the regions'
    /// pixel counts are summed.
    public func sentences(regions: [ChangeRegion], imageSize: ImageSize, changedPixels: Int? = nil, seed: UInt64,
                          identity: String) -> [ChangeSentence] {
        var random = SeededRandom(seed: seed, identity: identity)
        let regions = regions.filter { $0.pixelCount > 0 }
        if regions.isEmpty {
            return random.shuffled(phrasings.noChange).prefix(perPair).map { ChangeSentence(text: $0, rule: .noChange) }
        }
        let facts = ChangeFacts(regions: regions, imageSize: imageSize, changedPixels: changedPixels,
                                phrasings: phrasings)
        var rules: [ChangeRule] = [.count, .location, .size]
        if !facts.transitions.isEmpty { rules.append(.semantic) }
        rules.append(.combined)
        var result: [ChangeSentence] = []
        var seen = Set<String>()
        var round = 0
        // First one sentence per rule, then further phrasings of the rules until perPair are distinct.
        while result.count < perPair && round < 4 {
            for rule in rules where result.count < perPair {
                let text = sentence(rule, facts: facts, &random)
                if seen.insert(text).inserted { result.append(ChangeSentence(text: text, rule: rule)) }
            }
            round += 1
        }
        return result
    }

    func sentence(_ rule: ChangeRule, facts: ChangeFacts, _ random: inout SeededRandom) -> String {
        let templates: [String] = switch rule {
        case .noChange: phrasings.noChange
        case .count: phrasings.count
        case .location: phrasings.location
        case .size: phrasings.size
        case .semantic: phrasings.semantic
        case .combined: phrasings.combined
        }
        let template = random.pick(templates)
        let transitions = facts.transitions.prefix(2).map { transition in
            fill(random.pick(phrasings.replaced), [
                "from": transition.before.isMass ? transition.before.singular : transition.before.plural,
                "to": transition.after.isMass ? transition.after.singular : transition.after.plural,
                "was": transition.before.isMass ? "was" : "were",
                "has": transition.before.isMass ? "has" : "have",
                "at": phrasings.positions[transition.position.rawValue] ?? transition.position.rawValue,
            ])
        }
        let many = facts.count > 1
        return fill(template, [
            "count": facts.count <= 10 ? phrasings.numberWords[facts.count] : "many",
            "areas": many ? "areas" : "area",
            "be": many ? "are" : "is",
            "have": many ? "have" : "has",
            "appear": many ? "appear" : "appears",
            "changes": many ? "changes" : "change",
            "aChange": many ? "changes" : "a change",
            "where": EnglishGrammar.joinList(facts.positions.prefix(3).map { phrasings.positions[$0.rawValue] ?? $0.rawValue }),
            "share": Self.percent(facts.changedShare),
            "largest": Self.percent(facts.largestShare),
            "size": facts.largestSizeWord,
            "transitions": EnglishGrammar.joinList(transitions),
        ])
    }

    func fill(_ template: String, _ values: [String: String]) -> String {
        var text = ""
        CompiledPhrase(template, slots: Self.slots).fill(into: &text) { values[$0] ?? "" }
        return text
    }

    /// A share of the image as people say it: "12%", "less than 1%".
    static func percent(_ share: Double) -> String {
        let rounded = Int((share * 100).rounded())
        return rounded < 1 ? "less than 1%" : "\(rounded)%"
    }
}

/// What the sentences state, computed once from the regions.
struct ChangeFacts {
    struct Transition {
        var before: ClassName
        var after: ClassName
        var pixels: Int
        /// Changed pixels of this transition per grid cell (of the region centres).
        var pixelsPerPosition: [ChangePosition: Int] = [:]

        /// Where most of this transition happened (the earlier cell, reading order, on a tie).
        var position: ChangePosition {
            var best = ChangePosition.center, most = -1
            for cell in ChangePosition.allCases where pixelsPerPosition[cell, default: 0] > most {
                best = cell
                most = pixelsPerPosition[cell, default: 0]
            }
            return best
        }
    }

    /// How many regions.
    var count: Int
    /// Grid cells holding region centres, most changed pixels first.
    var positions: [ChangePosition]
    /// Changed pixels over image pixels.
    var changedShare: Double
    /// The largest region's pixels over image pixels.
    var largestShare: Double
    /// The size word of the largest region.
    var largestSizeWord: String
    /// Before/after class pairs with a real change of class, most changed pixels first.
    var transitions: [Transition]

    init(regions: [ChangeRegion], imageSize: ImageSize, changedPixels: Int?, phrasings: ChangePhrasings) {
        let imagePixels = max(1, imageSize.width * imageSize.height)
        count = regions.count
        var pixelsPerPosition: [ChangePosition: Int] = [:]
        for region in regions {
            pixelsPerPosition[ChangePosition(of: region.box, in: imageSize), default: 0] += region.pixelCount
        }
        positions = pixelsPerPosition.sorted { left, right in
            left.value != right.value ? left.value > right.value
                : (ChangePosition.allCases.firstIndex(of: left.key) ?? 0) < (ChangePosition.allCases.firstIndex(of: right.key) ?? 0)
        }.map(\.key)
        let changed = changedPixels ?? regions.reduce(0) { $0 + $1.pixelCount }
        changedShare = min(1, Double(changed) / imagePixels)
        let largest = regions.map(\.pixelCount).max() ?? 0
        largestShare = min(1, Double(largest) / imagePixels)
        let share = largestShare
        largestSizeWord = phrasings.sizes.first { share < $0.below }?.word ?? phrasings.sizes.last?.word ?? ""
        var pairs: [String: Transition] = [:]
        var order: [String] = []
        for region in regions {
            guard let before = region.before, let after = region.after, before.singular != after.singular else { continue }
            let key = before.singular + "\u{1}" + after.singular
            if pairs[key] == nil { order.append(key) }
            pairs[key, default: Transition(before: before, after: after, pixels: 0)].pixels += region.pixelCount
            pairs[key]?.pixelsPerPosition[ChangePosition(of: region.box, in: imageSize), default: 0] += region.pixelCount
        }
        transitions = order.compactMap { pairs[$0] }.enumerated().sorted { left, right in
            left.element.pixels != right.element.pixels ? left.element.pixels > right.element.pixels : left.offset < right.offset
        }.map(\.element)
    }
}
