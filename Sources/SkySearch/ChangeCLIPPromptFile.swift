import Foundation
import SkyDatasets

/// One record of a ChangeCLIP prompt file: an image and every class with its zero-shot probability.
public struct ChangeCLIPRecord: Sendable, Equatable {
    /// The image path exactly as ChangeCLIP's lists name it (`ROOT/split/A/name.png`).
    public var imagePath: String
    /// Every class of the vocabulary with its probability, most probable first.
    public var ranked: [(name: String, probability: Float)]

    public init(imagePath: String, ranked: [(name: String, probability: Float)]) {
        self.imagePath = imagePath
        self.ranked = ranked
    }

    public static func == (lhs: ChangeCLIPRecord, rhs: ChangeCLIPRecord) -> Bool {
        lhs.imagePath == rhs.imagePath && lhs.ranked.map(\.name) == rhs.ranked.map(\.name)
            && lhs.ranked.map(\.probability) == rhs.ranked.map(\.probability)
    }
}

/// Where ChangeCLIP prompt files go.
public enum ChangeCLIPOutput: Sendable, Equatable {
    /// Into the dataset, as ChangeCLIP's `tools/clip_inference.py` writes them: `ROOT/SPLIT/TIME_clipcls_TAG.json`,
    /// where its data loader looks for them.
    case datasetFolder
    /// Below another folder with the same layout: `FOLDER/SPLIT/TIME_clipcls_TAG.json` (folders created as needed);
    /// the dataset is only read.
    case folder(String)
    /// Exactly this file; only for a run that writes one file (one split and one time folder).
    case file(String)

    /// The file for one split and time folder of the dataset at `root`.
    public func path(root: String, split: String, timeFolder: String, tag: String) -> String {
        switch self {
        case .datasetFolder: ChangeCLIPPromptFile.fileName(root: root, split: split, timeFolder: timeFolder, tag: tag)
        case .folder(let folder): ChangeCLIPPromptFile.fileName(root: folder, split: split, timeFolder: timeFolder, tag: tag)
        case .file(let file): file
        }
    }
}

/// ChangeCLIP's prompt files (`tools/clip_inference.py`) and the two prompt strings its model builds from them.
public enum ChangeCLIPPromptFile {
    /// The tag ChangeCLIP's data loader hard-codes into the file name.
    public static let defaultTag = "56_vit16"
    /// How many classes the loader takes after `image_path`.
    public static let defaultTopK = 9

    /// `ROOT/split/time_clipcls_TAG.json`, as `os.path.join(root, split, time) + '_clipcls_' + tag + '.json'`.
    public static func fileName(root: String, split: String, timeFolder: String, tag: String = defaultTag) -> String {
        pythonJoin([root, split, timeFolder]) + "_clipcls_\(tag).json"
    }

    /// `os.path.join` of path parts: an empty part adds a separator only between others.
    public static func pythonJoin(_ parts: [String]) -> String {
        var path = ""
        for part in parts {
            if part.hasPrefix("/") { path = part; continue }
            if path.isEmpty || path.hasSuffix("/") { path += part } else { path += "/" + part }
        }
        return path
    }

    /// The file text exactly as `json.dump(records, indent=4, ensure_ascii=False)` writes it,
    /// with probabilities as `"{:.4f}"` strings.
    public static func encode(_ records: [ChangeCLIPRecord]) -> String {
        guard !records.isEmpty else { return "[]" }
        var text = "[\n"
        for (recordIndex, record) in records.enumerated() {
            text += "    {\n        \"image_path\": " + pythonString(record.imagePath)
            for (name, probability) in record.ranked {
                text += ",\n        " + pythonString(name) + ": \"" + String(format: "%.4f", Double(probability)) + "\""
            }
            text += "\n    }" + (recordIndex == records.count - 1 ? "\n" : ",\n")
        }
        return text + "]"
    }

    /// The records of a prompt file in file order: each image path with its members as written (class name and
    /// probability string), keys in order as ChangeCLIP's loader relies on.
    public static func records(fromJSON text: String, file: String = "<prompt file>") throws(SearchError)
        -> [(imagePath: String, members: [(name: String, value: String)])] {
        do {
            return try JSONScanner.scan(Array(text.utf8), file: file) { scanner throws(DatasetError) in
                var records: [(imagePath: String, members: [(name: String, value: String)])] = []
                guard scanner.peekIsArray() else {
                    throw DatasetError(.unreadableFile, file: file, location: "line 1", "a ChangeCLIP prompt file is a JSON list of records")
                }
                try scanner.forEachElement { index, element throws(DatasetError) in
                    var path: String? = nil
                    var members: [(name: String, value: String)] = []
                    try element.forEachMember { key, value throws(DatasetError) in
                        let parsed = try value.parseValue()
                        if path == nil {
                            guard key == "image_path", let text = parsed.string else {
                                throw DatasetError(.unreadableFile, file: file, location: "record \(index)",
                                                   "a record starts with \"image_path\"")
                            }
                            path = text
                        } else {
                            members.append((name: key, value: parsed.string ?? ""))
                        }
                    }
                    guard let path else {
                        throw DatasetError(.unreadableFile, file: file, location: "record \(index)", "an empty record")
                    }
                    records.append((imagePath: path, members: members))
                }
                return records
            }
        } catch {
            throw .invalidInput("\(error)")
        }
    }

    /// What ChangeCLIP's loader takes from a prompt file: image path -> the `k` class names after `image_path`.
    public static func topClasses(fromJSON text: String, k: Int = defaultTopK) throws(SearchError) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for record in try records(fromJSON: text) {
            result[record.imagePath] = Array(record.members.prefix(k).map(\.name))
        }
        return result
    }

    /// The background and foreground prompts ChangeCLIP's `get_cls_text` builds for one image.
    public static func prompts(topClasses: [String]) -> (background: String, foreground: String) {
        ("remote sensing image background objects",
         (["remote sensing image foreground objects"] + topClasses).joined(separator: ", "))
    }

    /// A JSON string literal as Python writes it with `ensure_ascii=False`.
    static func pythonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
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
                    let digits = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
