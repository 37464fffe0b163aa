/// Box-to-caption (B2C): up to five grammatical captions per image from its boxes, by RemoteCLIP's rules.
///
/// Rule 1 names the objects whose box centre lies in the central region, rule 2 those outside it ("at the
/// edge of the picture"), rules 3 to 5 count randomly picked classes of the whole image, with exact numbers
/// up to ten and a general word ("many", "lots of") above. M2B objects are areas and are never counted.
/// When a region holds no object its caption is replaced by one more count caption, so an image still gets
/// five distinct captions when its objects allow it. The generator is a pure function of its inputs:
/// all random choices come from a ``SeededRandom`` seeded by the run's seed and the image's identity.
public struct B2CGenerator: Sendable {
    /// The phrasings chosen among.
    public let phrasings: CaptionPhrasings
    /// The options.
    public let options: B2COptions
    /// Every template and area phrase, split once at its slots.
    private let compiled: [String: CompiledPhrase]

    /// A generator; throws when an option is out of range.
    public init(phrasings: CaptionPhrasings, options: B2COptions = B2COptions()) throws(TextError) {
        try options.validate()
        self.phrasings = phrasings
        self.options = options
        var compiled: [String: CompiledPhrase] = [:]
        for template in phrasings.center + phrasings.edge + phrasings.count {
            compiled[template.text] = CompiledPhrase(template.text, slots: ["objects", "be"])
        }
        for phrase in phrasings.area.mass.all + phrasings.area.countable.all {
            compiled[phrase] = CompiledPhrase(phrase, slots: ["name"])
        }
        self.compiled = compiled
    }

    /// The compiled form of a template or phrase of ``phrasings`` (compiled on the fly if it is not one).
    private func compiledPhrase(_ text: String, slots: Set<String>) -> CompiledPhrase {
        compiled[text] ?? CompiledPhrase(text, slots: slots)
    }

    /// The B2C captions of one image, in rule order (centre, edge, counts).
    ///
    /// - Parameters:
    ///   - objects: the image's objects; ignored ones (and difficult ones, by policy) are left out first.
    ///   - imageSize: the image's size; without it the location rules cannot apply and count captions
    ///     take their place.
    ///   - seed: the run's seed.
    ///   - identity: a stable name of the image (dataset and relative path), mixed into the seed.
    /// - Returns: no caption for an image without objects; otherwise up to `options.perImage` distinct ones.
    public func captions(for objects: [B2CObject], imageSize: ImageSize?, seed: UInt64,
                         identity: String) -> [B2CCaption] {
        let kept = objects.filter { !$0.ignore && (options.difficult == .include || !$0.difficult) }
        guard !kept.isEmpty else { return [] }
        var random = SeededRandom(seed: seed, identity: identity)
        var result: [B2CCaption] = []
        var seen = Set<String>()
        func add(_ text: String, _ rule: B2CRule) {
            if result.count < options.perImage, seen.insert(text).inserted {
                result.append(B2CCaption(text: text, rule: rule))
            }
        }

        if let imageSize, imageSize.width > 0, imageSize.height > 0 {
            let central = kept.filter { options.isCentral($0.box, in: imageSize) }
            let outer = kept.filter { !options.isCentral($0.box, in: imageSize) }
            if !central.isEmpty {
                add(locationCaption(ObjectGroup.groups(of: central), templates: phrasings.center, &random), .center)
            }
            if !outer.isEmpty {
                add(locationCaption(ObjectGroup.groups(of: outer), templates: phrasings.edge, &random), .edge)
            }
        }

        let groups = ObjectGroup.groups(of: kept)
        let templates = random.shuffled(phrasings.count)
        var attempt = 0
        while result.count < options.perImage && attempt < options.perImage * 8 {
            add(countCaption(groups, template: templates[attempt % templates.count], &random), .count)
            attempt += 1
        }
        return result
    }

    /// A caption over one region's classes: the most numerous first, as many as fit.
    func locationCaption(_ groups: [ObjectGroup], templates: [CaptionTemplate],
                         _ random: inout SeededRandom) -> String {
        let template = random.pick(templates)
        return fittedSentence(template: template, groups: Array(groups.prefix(options.maxClassesPerCaption)),
                              &random)
    }

    /// A caption counting one to `maxClassesPerCaption` randomly picked classes of the image.
    func countCaption(_ groups: [ObjectGroup], template: CaptionTemplate, _ random: inout SeededRandom) -> String {
        let howMany = 1 + random.below(min(options.maxClassesPerCaption, groups.count))
        let chosen = Array(random.shuffled(groups).prefix(howMany))
        return fittedSentence(template: template, groups: chosen, &random)
    }

    /// The sentence, dropping trailing classes until it fits the token limit.
    func fittedSentence(template: CaptionTemplate, groups: [ObjectGroup], _ random: inout SeededRandom) -> String {
        var groups = groups
        var text = sentence(template: template, groups: groups, &random)
        while groups.count > 1 && ClipTokenEstimate.count(text) > options.tokenLimit {
            groups.removeLast()
            text = sentence(template: template, groups: groups, &random)
        }
        return text
    }

    /// One sentence: the template filled with the list of phrases and the agreeing verb.
    func sentence(template: CaptionTemplate, groups: [ObjectGroup], _ random: inout SeededRandom) -> String {
        let useDigits = random.below(2) == 0
        var phrases: [NounPhrase] = []
        phrases.reserveCapacity(groups.count)
        for (index, group) in groups.enumerated() {
            let atStart = index == 0 && template.startsWithObjects
            phrases.append(phrase(for: group, atSentenceStart: atStart, digits: useDigits, &random))
        }
        let plural: Bool
        switch template.verb {
        case .none: plural = false
        case .subject: plural = phrases.count > 1 || phrases[0].isPlural
        case .existential: plural = phrases[0].isPlural
        }
        var text = ""
        text.reserveCapacity(160)
        compiledPhrase(template.text, slots: ["objects", "be"]).fill(into: &text) { slot in
            slot == "be" ? (plural ? "are" : "is") : EnglishGrammar.joinList(phrases.map(\.text))
        }
        if !text.hasSuffix(".") || text.hasSuffix("..") { text = EnglishGrammar.endingWithOnePeriod(text) }
        return EnglishGrammar.capitalizingFirstLetter(text)
    }

    /// The noun phrase of one class: "a ship", "3 ships", "three ships", "many ships", "an area of forest".
    func phrase(for group: ObjectGroup, atSentenceStart: Bool, digits: Bool,
                _ random: inout SeededRandom) -> NounPhrase {
        if group.isArea && isAreaName(group.name) {
            switch group.count {
            case 1:
                return .single(group.name)
            case 2...10:
                return NounPhrase(text: random.pick(phrasings.few) + " " + group.name.plural, isPlural: true)
            default:
                let words = atSentenceStart ? phrasings.many + phrasings.manyLead : phrasings.many
                return NounPhrase(text: random.pick(words) + " " + group.name.plural, isPlural: true)
            }
        }
        if group.isArea {
            let name = group.name.isMass ? group.name.singular : group.name.plural
            let areas = group.name.isMass ? phrasings.area.mass : phrasings.area.countable
            let choices = group.count == 1 ? areas.one
                : group.count <= 10 ? areas.several
                : atSentenceStart ? areas.many + areas.manyLead : areas.many
            var text = ""
            compiledPhrase(random.pick(choices), slots: ["name"]).fill(into: &text) { _ in name }
            return NounPhrase(text: text, isPlural: group.count > 1)
        }
        switch group.count {
        case 1:
            return .single(group.name)
        case 2...10:
            let number = atSentenceStart || !digits ? phrasings.numberWords[group.count] : String(group.count)
            return NounPhrase(text: number + " " + group.name.plural, isPlural: true)
        default:
            let words = atSentenceStart ? phrasings.many + phrasings.manyLead : phrasings.many
            return NounPhrase(text: random.pick(words) + " " + group.name.plural, isPlural: true)
        }
    }
}

extension B2CGenerator {
    /// True when the class name already names an area ("water area"): its last word is an area noun.
    func isAreaName(_ name: ClassName) -> Bool {
        guard let last = name.singular.split(separator: " ").last else { return false }
        return phrasings.areaNouns.contains(String(last))
    }
}

/// All objects of one class and origin in a region, counted.
struct ObjectGroup: Hashable {
    var name: ClassName
    var isArea: Bool
    var count: Int

    /// The groups of `objects`: the most numerous first, then by name, things before areas.
    static func groups(of objects: [B2CObject]) -> [ObjectGroup] {
        var counts: [GroupKey: (name: ClassName, count: Int)] = [:]
        for object in objects {
            let key = GroupKey(singular: object.name.singular, isArea: object.origin == .m2b)
            counts[key, default: (object.name, 0)].count += 1
        }
        return counts.map { ObjectGroup(name: $0.value.name, isArea: $0.key.isArea, count: $0.value.count) }
            .sorted { left, right in
                if left.count != right.count { return left.count > right.count }
                if left.name.singular != right.name.singular { return left.name.singular < right.name.singular }
                return !left.isArea && right.isArea
            }
    }

    private struct GroupKey: Hashable {
        var singular: String
        var isArea: Bool
    }
}
