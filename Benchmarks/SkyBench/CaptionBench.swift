import Foundation
import SkyCorpusStore
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
        try corpus.write { db in
            try db.execute(sql: "INSERT INTO dataset (id, name) VALUES (1, 'bench')")
            let image = try db.makeStatement(sql: "INSERT INTO image (id, dataset_id, path, width, height) VALUES (?, 1, ?, 1024, 1024)")
            let object = try db.makeStatement(sql: """
                INSERT INTO object (image_id, class, raw_class, x, y, w, h, source, difficult, ignore)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for (number, objects) in images.enumerated() {
                try image.execute(arguments: [number + 1, "\(number).png"])
                for item in objects {
                    try object.execute(arguments: [
                        number + 1, item.name.singular, item.name.singular, item.box.x, item.box.y, item.box.width,
                        item.box.height, item.origin.rawValue, item.difficult ? 1 : 0, item.ignore ? 1 : 0,
                    ])
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
