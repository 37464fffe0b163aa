/// SegCLIP / LSeg-style class prompts: one prompt per class of a dataset, and per image the
/// ground-truth-guided list of the classes present in its mask.
public enum SegCLIPPrompts {
    /// One prompt per class and template, in class order then template order; each class phrase is made by
    /// `grammar` (B2C's naming: "a photo with water.", "a photo with agricultural land.").
    public static func datasetPrompts(classes: [String], templates: PromptTemplateSet,
                                      grammar: PromptGrammar = .standard) -> [(className: String, text: String)] {
        classes.flatMap { className in templates.prompts(for: className, grammar: grammar).map { (className, $0) } }
    }

    /// The classes present in a label mask, in label order: `labels` are the mask's values, `names` maps
    /// a label value to its class (values without a name, such as background or ignore, are skipped).
    public static func classesPresent<Labels: Sequence>(labels: Labels, names: [Int: String]) -> [String]
    where Labels.Element: BinaryInteger {
        // A flag per small label value (masks hold bytes or 16-bit values); a set for anything else.
        var small = [Bool](repeating: false, count: 65_536)
        var other = Set<Int>()
        for label in labels {
            let value = Int(label)
            if value >= 0 && value < 65_536 { small[value] = true } else { other.insert(value) }
        }
        let present = small.indices.filter { small[$0] } + other.sorted()
        return present.sorted().compactMap { names[$0] }
    }
}
