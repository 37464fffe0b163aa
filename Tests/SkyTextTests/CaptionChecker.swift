import SkyGeometry
@testable import SkyText

/// Reads a generated caption back: which classes it names and what quantity it states for each.
/// Independent of the generator's code paths, so the property tests check the text itself.
struct CaptionChecker {
    /// A quantity as the text states it.
    enum Quantity: Equatable {
        case exactly(Int)
        case moreThanTen
        case area(AreaAmount)
    }

    enum AreaAmount: Equatable { case one, several, many }

    let phrasings: CaptionPhrasings

    /// The quantity the caption states for `name`, or nil when the caption does not name it.
    func quantity(of name: ClassName, in caption: String) -> Quantity? {
        let text = caption.lowercased()
        for form in [name.plural, name.singular] {
            guard let range = wordRange(of: form, in: text) else { continue }
            let before = String(text[..<range.lowerBound])
            return quantity(before: before, areaName: form)
        }
        return nil
    }

    private func quantity(before: String, areaName: String) -> Quantity? {
        let mass = phrasings.area.mass, countable = phrasings.area.countable
        for (amount, phrases) in [(AreaAmount.one, mass.one + countable.one),
                                  (.several, mass.several + countable.several),
                                  (.many, mass.many + mass.manyLead + countable.many + countable.manyLead)] {
            for phrase in phrases {
                let lead = phrase.replacingOccurrences(of: "{name}", with: "").lowercased()
                if before.hasSuffix(lead) { return .area(amount) }
            }
        }
        for word in phrasings.few where before.hasSuffix(word + " ") {
            return .area(.several)
        }
        for word in (phrasings.many + phrasings.manyLead).sorted(by: { $0.count > $1.count }) where before.hasSuffix(word + " ") {
            return .moreThanTen
        }
        let words = before.split(separator: " ")
        guard let last = words.last.map(String.init) else { return nil }
        if last == "a" || last == "an" { return .exactly(1) }
        if let number = Int(last) { return .exactly(number) }
        if let index = phrasings.numberWords.firstIndex(of: last) { return .exactly(index) }
        return nil
    }

    /// The range of `word` in `text` with non-letters on both sides.
    func wordRange(of word: String, in text: String) -> Range<String.Index>? {
        var searchStart = text.startIndex
        while let range = text.range(of: word, range: searchStart..<text.endIndex) {
            let beforeOK = range.lowerBound == text.startIndex || !text[text.index(before: range.lowerBound)].isLetter
            let afterOK = range.upperBound == text.endIndex || !text[range.upperBound].isLetter
            if beforeOK && afterOK { return range }
            searchStart = text.index(after: range.lowerBound)
        }
        return nil
    }

    /// Whether a stated quantity is true of `count` objects of one origin.
    static func matches(_ quantity: Quantity, count: Int, isArea: Bool) -> Bool {
        switch quantity {
        // Areas named as areas ("a water area", "many water areas") read like things but never with a number.
        case .exactly(let stated): return isArea ? stated == 1 && count == 1 : stated == count && count <= 10
        case .moreThanTen: return count > 10
        case .area(.one): return isArea && count == 1
        case .area(.several): return isArea && count >= 2 && count <= 10
        case .area(.many): return isArea && count > 10
        }
    }

    /// The problems of the caption's form: capital, one period, verb agreement.
    func formProblems(_ caption: String, names: [ClassName]) -> [String] {
        var problems: [String] = []
        if caption.first.map({ !$0.isUppercase }) ?? true { problems.append("no capital first letter") }
        if !caption.hasSuffix(".") || caption.dropLast().contains(".") { problems.append("not exactly one final period") }
        if caption.contains("  ") || caption.contains("{") { problems.append("unfilled template or double space") }
        let lower = caption.lowercased()
        let leads = phrasings.manyLead + phrasings.area.mass.manyLead + phrasings.area.countable.manyLead
        for lead in leads {
            let stem = lead.replacingOccurrences(of: " {name}", with: "")
            if let range = lower.range(of: stem), range.lowerBound != lower.startIndex {
                problems.append("'\(stem)' inside the sentence")
            }
        }
        if lower.hasPrefix("there is ") || lower.hasPrefix("there are ") {
            let rest = String(lower.dropFirst(lower.hasPrefix("there is ") ? 9 : 10))
            let firstIsPlural = startsWithPlural(rest, names: names)
            if lower.hasPrefix("there is ") == firstIsPlural { problems.append("existential verb disagrees") }
        } else if let verb = [" is ", " are "].compactMap({ lower.range(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound }) {
            let subject = String(lower[..<verb.lowerBound])
            let isList = subject.contains(" and ") || subject.contains(",")
            let plural = isList || startsWithPlural(subject, names: names)
            if (lower[verb] == " are ") != plural { problems.append("subject verb disagrees") }
        }
        return problems
    }

    /// Whether the first noun phrase of `text` is plural: its quantity is above one.
    private func startsWithPlural(_ text: String, names: [ClassName]) -> Bool {
        var earliest: (index: String.Index, quantity: Quantity)? = nil
        for name in names {
            for form in [name.plural, name.singular] {
                guard let range = wordRange(of: form, in: text) else { continue }
                if earliest == nil || range.lowerBound < earliest!.index,
                   let quantity = quantity(before: String(text[..<range.lowerBound]), areaName: form) {
                    earliest = (range.lowerBound, quantity)
                }
                break
            }
        }
        guard let quantity = earliest?.quantity else { return false }
        switch quantity {
        case .exactly(let n): return n > 1
        case .moreThanTen, .area(.several), .area(.many): return true
        case .area(.one): return false
        }
    }
}
