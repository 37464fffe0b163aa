import Foundation

/// ChangeCLIP's prompt inputs: per-image CLIP class files and the two prompt strings its model reads.
///
/// `tools/clip_inference.py` writes, per split and time folder, `<split>/<time>_clipcls_<tag>.json`: a JSON
/// list (Python `json.dump(indent=4, ensure_ascii=False)`) of records `{"image_path": ..., class: "0.1234",
/// ...}` with every class of the vocabulary in descending probability, probabilities as 4-decimal strings.
/// Its loader keys records by `image_path` and keeps the names of keys 1 to 9.
public enum ChangeCLIPPromptFile {
    /// The prompt for the background, as `ChangeCLIPCD.get_cls_text` builds it.
    public static let backgroundPrompt = "remote sensing image background objects"

    /// The foreground prompt: "remote sensing image foreground objects, c1, ..., ck".
    public static func foregroundPrompt(classes: [String]) -> String {
        (["remote sensing image foreground objects"] + classes).joined(separator: ", ")
    }

    /// The file name for a split and time folder: `<split>/<time>_clipcls_<tag>.json`; ChangeCLIP's loader
    /// hard-codes the tag `56_vit16`.
    public static func relativePath(split: String, time: String, tag: String = "56_vit16") -> String {
        "\(split)/\(time)_clipcls_\(tag).json"
    }

    /// One image's record: its path and every class with its probability.
    public struct Record: Sendable, Hashable {
        /// The path exactly as ChangeCLIP's list files spell it (the loader matches it as a string).
        public var imagePath: String
        /// Class and probability pairs, in vocabulary order (sorted when written).
        public var probabilities: [(className: String, probability: Double)]

        public init(imagePath: String, probabilities: [(className: String, probability: Double)]) {
            self.imagePath = imagePath
            self.probabilities = probabilities
        }

        public static func == (left: Record, right: Record) -> Bool {
            left.imagePath == right.imagePath && left.probabilities.elementsEqual(right.probabilities) {
                $0.className == $1.className && $0.probability == $1.probability
            }
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(imagePath)
            for pair in probabilities {
                hasher.combine(pair.className)
                hasher.combine(pair.probability)
            }
        }

        /// The pairs by descending probability; ties keep vocabulary order (Python's sort is stable).
        public var sorted: [(className: String, probability: Double)] {
            probabilities.enumerated().sorted { left, right in
                left.element.probability != right.element.probability
                    ? left.element.probability > right.element.probability : left.offset < right.offset
            }.map(\.element)
        }

        /// The `k` most probable class names: what ChangeCLIP's loader keeps (k = 9).
        public func top(_ k: Int = 9) -> [String] { sorted.prefix(k).map(\.className) }
    }

    /// Softmax of logits (CLIP's scaled image-text similarities), computed stably in double precision.
    public static func softmax(_ logits: [Double]) -> [Double] {
        guard let maximum = logits.max() else { return [] }
        let exps = logits.map { Foundation.exp($0 - maximum) }
        let sum = exps.reduce(0, +)
        return exps.map { $0 / sum }
    }

    /// The file's bytes, byte for byte as Python's `json.dump(results, f, indent=4, ensure_ascii=False)`.
    public static func json(_ records: [Record]) -> String {
        guard !records.isEmpty else { return "[]" }
        var out = "[\n"
        for (index, record) in records.enumerated() {
            out += "    {\n"
            var fields = [("image_path", quoted(record.imagePath))]
            for pair in record.sorted {
                fields.append((pair.className, quoted(String(format: "%.4f", pair.probability))))
            }
            for (fieldIndex, field) in fields.enumerated() {
                out += "        \(quoted(field.0)): \(field.1)"
                out += fieldIndex == fields.count - 1 ? "\n" : ",\n"
            }
            out += index == records.count - 1 ? "    }\n" : "    },\n"
        }
        return out + "]"
    }

    /// A JSON string as Python's `json.dumps(..., ensure_ascii=False)` writes it.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
