import Foundation
import SkyImaging
import SkyStorage
import SkyText

/// What `counting-set` makes.
public struct CountingSetRequest: Sendable {
    /// The detection dataset whose boxes are counted.
    public var dataset: String
    /// The set's name in the corpus (default: the dataset's).
    public var name: String
    /// The counts kept; each image gets one caption per count of the range.
    public var range: ClosedRange<Int>
    /// The caption template (``CountingCaptions/defaultTemplate``).
    public var template: String

    public init(dataset: String, name: String? = nil, range: ClosedRange<Int> = CountingCaptions.defaultRange,
                template: String = CountingCaptions.defaultTemplate) {
        self.dataset = dataset
        self.name = name ?? dataset
        self.range = range
        self.template = template
    }
}

/// What a counting set holds.
public struct CountingSetSummary: Sendable, Codable, Equatable {
    public var name: String
    public var dataset: String
    public var images: Int
    /// Items per true count (the count as text, for JSON).
    public var counts: [String: Int]
    /// Items per class.
    public var classes: [String: Int]
    /// Images left out: no class counted within the range, or the counted class has boxes marked ignore.
    public var skipped: Int
    public var file: String
}

/// Builds a RemoteCount-style counting benchmark from a detection dataset's boxes.
///
/// An image enters when one of its classes appears `range` times (objects marked ignore, such as DOTA's difficulty 2
/// on split tiles, make that class's count unknown, so the class is not used); when several classes qualify, the
/// most numerous is counted (ties: alphabetical). Each item has the true caption and one counterfactual per other
/// count of the range, differing only in the number ("a photo of three planes." / "a photo of four planes.").
public enum CountingSetStep {
    /// Builds the set and stores it (replacing a set of that name) in one transaction, which also writes `output` as
    /// JSON lines (one object per image: path, class, count, captions, answer index), whole or not at all.
    public static func run(_ request: CountingSetRequest, corpus: Corpus, output: String) throws -> CountingSetSummary {
        guard CountingCaptions.countRange.contains(request.range.lowerBound),
              CountingCaptions.countRange.contains(request.range.upperBound), request.range.count >= 2 else {
            throw CorpusError.invalidRequest("counts \(request.range.lowerBound)...\(request.range.upperBound) must lie in "
                + "\(CountingCaptions.countRange.lowerBound)...\(CountingCaptions.countRange.upperBound) and hold two or more")
        }
        guard request.template.contains("{number}") && request.template.contains("{class}") else {
            throw CorpusError.invalidRequest("the counting template '\(request.template)' needs {number} and {class}")
        }
        try OutputFiles.prepare(output, isFolder: false, what: "counting set")
        let captions = CountingCaptions(template: request.template)
        var summary = CountingSetSummary(name: request.name, dataset: request.dataset, images: 0, counts: [:], classes: [:],
                                         skipped: 0, file: output)
        var items: [CountingItem] = []
        try corpus.write { transaction in
            let dataset = try transaction.requireDataset(request.dataset)
            let datasetID = dataset.id ?? -1
            guard try transaction.objectCount(dataset: datasetID) > 0 else {
                throw CorpusError.invalidRequest("dataset '\(request.dataset)' has no objects (boxes): a counting set needs a "
                    + "detection dataset (DOTA, DIOR, ...) or M2B boxes")
            }
            try transaction.forEachImageWithObjects(dataset: datasetID) { image in
                guard let chosen = counted(image.objects, range: request.range) else {
                    summary.skipped += 1
                    return
                }
                items.append(CountingItem(imageId: image.id, path: image.path, absolutePath: image.path, className: chosen.name,
                                          count: chosen.count, captions: captions.candidates(className: chosen.name, range: request.range)))
            }
            guard !items.isEmpty else {
                throw CorpusError.invalidRequest("no image of '\(request.dataset)' has a class appearing "
                    + "\(request.range.lowerBound) to \(request.range.upperBound) times")
            }
            try transaction.replaceCountingSet(name: request.name, dataset: datasetID, minimum: request.range.lowerBound,
                                               maximum: request.range.upperBound, template: request.template, items: items)
            items = try transaction.countingSet(named: request.name)?.items ?? []
            // Inside the transaction: a file that cannot be written rolls the stored set back.
            try write(items, minimum: request.range.lowerBound, to: output)
        }
        for item in items {
            summary.counts[String(item.count), default: 0] += 1
            summary.classes[item.className, default: 0] += 1
        }
        summary.images = items.count
        return summary
    }

    /// The class counted on an image: the most numerous whose count lies in `range` and none of whose objects is
    /// marked ignore (ties: alphabetical).
    static func counted(_ objects: [StoredObject], range: ClosedRange<Int>) -> (name: String, count: Int)? {
        var counts: [String: Int] = [:], ignored = Set<String>()
        for object in objects {
            if object.ignore { ignored.insert(object.className) } else { counts[object.className, default: 0] += 1 }
        }
        return counts.filter { range.contains($0.value) && !ignored.contains($0.key) }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.first.map { ($0.key, $0.value) }
    }

    /// One line per item: `{"image", "path", "class", "count", "captions", "answer"}`.
    static func write(_ items: [CountingItem], minimum: Int, to output: String) throws {
        struct Line: Encodable {
            var image: String, path: String, `class`: String, count: Int, captions: [String], answer: Int
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8] = []
        for item in items {
            bytes += try encoder.encode(Line(image: item.absolutePath, path: item.path, class: item.className, count: item.count,
                                             captions: item.captions, answer: item.count - minimum))
            bytes.append(0x0A)
        }
        try FileBytes.write(bytes, to: output)
    }
}
