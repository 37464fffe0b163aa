import Foundation
import SkyPipeline
import SkyStorage
import SkyGeometry
import SkyText

/// `skybench caption [--images N] [--repeats R] [--corpus PATH]`: B2C over synthetic objects (mean 10 per
/// image), timed three ways: the caption logic alone (in memory), a dry run through the corpus (SQLite reads
/// plus logic), and the stored step (reads, logic, deletes and inserts with the FTS triggers, one transaction).
enum CaptionBench {
    static let things = ["plane", "ship", "storage tank", "baseball diamond", "tennis court", "basketball court",
                         "ground track field", "harbor", "bridge", "large vehicle", "small vehicle", "helicopter",
                         "roundabout", "soccer ball field", "swimming pool"]
    static let areas = ["water", "forest", "building", "road", "agricultural land"]

    static func run(_ arguments: [String]) throws {
        var images = 100_000
        var repeats = 3
        var corpusPath = FileManager.default.temporaryDirectory.appendingPathComponent("skybench-caption.sqlite").path
        var index = 0
        while index < arguments.count {
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            switch arguments[index] {
            case "--images": images = Int(value) ?? images
            case "--repeats": repeats = Int(value) ?? repeats
            case "--corpus": corpusPath = value
            default: throw BenchError.usage("unknown argument \(arguments[index])")
            }
            index += 2
        }
        let phrasings = try CaptionPhrasings.standard()
        let naming = RuleBasedClassNaming(phrasings: phrasings)
        let generator = try B2CGenerator(phrasings: phrasings)
        let synthetic = makeImages(images, naming: naming)
        let objectCount = synthetic.reduce(0) { $0 + $1.count }

        var captionCount = 0
        let logic = BenchClock.measure(repeats: repeats) {
            captionCount = 0
            for (number, objects) in synthetic.enumerated() {
                captionCount += generator.captions(for: objects, imageSize: ImageSize(width: 1024, height: 1024),
                                                   seed: 0, identity: "bench/\(number).png").count
            }
        }

        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: corpusPath + suffix) }
        let corpus = try Corpus(path: corpusPath, create: true)
        try fill(corpus, synthetic)
        let store = B2CCaptionStore(generator: generator, naming: naming, seed: 0)
        let dry = try BenchClock.measure(repeats: repeats) {
            _ = try store.run(on: corpus, datasets: ["bench"], dryRun: true)
        }
        var stored = 0
        let write = try BenchClock.measure(repeats: repeats) {
            stored = try store.run(on: corpus, datasets: ["bench"], dryRun: false).captions
        }
        let logicMedian = BenchClock.median(logic), dryMedian = BenchClock.median(dry)
        let writeMedian = BenchClock.median(write)
        print("""
            {"images": \(images), "objects": \(objectCount), "captions": \(captionCount), "stored": \(stored), \
            "logic_median_s": \(logicMedian), "dry_run_median_s": \(dryMedian), "store_median_s": \(writeMedian), \
            "logic_captions_per_s": \(Double(captionCount) / logicMedian), \
            "store_captions_per_s": \(Double(stored) / writeMedian), "corpus": "\(corpusPath)"}
            """)
    }

    /// Synthetic images of 1024x1024: 1 to 19 objects each (mean 10), one in ten images with M2B areas.
    static func makeImages(_ count: Int, naming: RuleBasedClassNaming) -> [[B2CObject]] {
        var random = SeededRandom(seed: 12345)
        return (0..<count).map { _ in
            let withAreas = random.below(10) == 0
            return (0..<(1 + random.below(19))).map { _ in
                let isArea = withAreas && random.below(2) == 0
                let name = naming.name(for: isArea ? random.pick(areas) : random.pick(things))
                let box = AxisBox(x: Double(random.below(1000)), y: Double(random.below(1000)),
                                  width: Double(4 + random.below(60)), height: Double(4 + random.below(60)))
                return B2CObject(name: name, box: box, origin: isArea ? .m2b : .annotation,
                                 difficult: random.below(20) == 0, ignore: random.below(50) == 0)
            }
        }
    }

    /// Writes the synthetic images and objects into the corpus (setup, not timed).
    static func fill(_ corpus: Corpus, _ images: [[B2CObject]]) throws {
        try corpus.write { transaction in
            let dataset = try transaction.insertDataset(DatasetRecord(name: "bench"))
            let root = try transaction.root(dataset: dataset, path: "")
            let statements = try IngestStatements(transaction)
            for (number, objects) in images.enumerated() {
                guard let imageID = try statements.insertImage(dataset: dataset, root: root, path: "\(number).png", split: nil,
                                                                width: 1024, height: 1024) else { continue }
                for item in objects {
                    try statements.insert(NewObject(
                        imageID: imageID, className: item.name.singular, rawClass: item.name.singular,
                        x: item.box.x, y: item.box.y, w: item.box.width, h: item.box.height,
                        source: item.origin == .m2b ? .m2b : .annotation, difficult: item.difficult, ignore: item.ignore))
                }
            }
        }
    }

    enum BenchError: Error, CustomStringConvertible {
        case usage(String)
        var description: String {
            switch self {
            case .usage(let message): "\(message); usage: skybench caption [--images N] [--repeats R] [--corpus PATH]"
            }
        }
    }
}
