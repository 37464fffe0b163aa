import GRDB
import SkyGeometry
import SkyText

/// One image's B2C captions, as a run reports them.
public struct B2CImageCaptions: Sendable, Codable, Equatable {
    /// The dataset name.
    public var dataset: String
    /// The image path relative to the dataset root.
    public var path: String
    /// The captions, in rule order.
    public var captions: [B2CCaption]
}

/// What a B2C run did.
public struct B2CRunSummary: Sendable, Codable, Equatable {
    /// The datasets captioned.
    public var datasets: [String]
    /// Images looked at.
    public var images: Int
    /// Images that got at least one caption (the others have no usable objects).
    public var imagesCaptioned: Int
    /// Captions written (or, for a dry run, that would be written).
    public var captions: Int
    /// Earlier B2C captions of these datasets that the run replaced (0 for a dry run).
    public var replaced: Int
    /// True when nothing was stored.
    public var dryRun: Bool
}

/// Stores B2C captions: source `b2c`, the rule in `caption.rule`.
///
/// A run over some datasets is one transaction: it deletes those datasets' earlier B2C captions and inserts
/// the new ones, so re-running with the same seed gives the same corpus, and a failure leaves it unchanged.
public struct B2CCaptionStore: Sendable {
    /// The generator (phrasings and options).
    public var generator: B2CGenerator
    /// English names for the corpus's clean class names.
    public var naming: any ClassNaming
    /// The run's seed.
    public var seed: UInt64

    public init(generator: B2CGenerator, naming: any ClassNaming, seed: UInt64) {
        self.generator = generator
        self.naming = naming
        self.seed = seed
    }

    /// Captions every image of `datasets` (all datasets when empty) and stores them, replacing earlier B2C
    /// captions of those datasets. With `dryRun` nothing is written. `each` sees every captioned image;
    /// `progress` gets (images done, images in all) after every image.
    public func run(on corpus: Corpus, datasets: [String], dryRun: Bool,
                    progress: (Int, Int) -> Void = { _, _ in },
                    each: (B2CImageCaptions) throws -> Void = { _ in }) throws -> B2CRunSummary {
        if dryRun {
            return try corpus.read { db in
                try captionAll(db, datasets: datasets, store: false, progress: progress, each: each)
            }
        }
        return try corpus.write { db in
            try captionAll(db, datasets: datasets, store: true, progress: progress, each: each)
        }
    }

    private func captionAll(_ db: Database, datasets requested: [String], store: Bool, progress: (Int, Int) -> Void,
                            each: (B2CImageCaptions) throws -> Void) throws -> B2CRunSummary {
        let targets = try Self.resolveDatasets(db, requested)
        var total = 0
        for target in targets {
            total += try Int.fetchOne(db, sql: "SELECT count(*) FROM image WHERE dataset_id = ?", arguments: [target.id]) ?? 0
        }
        var summary = B2CRunSummary(datasets: targets.map(\.name), images: 0, imagesCaptioned: 0, captions: 0,
                                    replaced: 0, dryRun: !store)
        let insert = store
            ? try db.makeStatement(sql: "INSERT INTO caption (image_id, text, source, rule) VALUES (?, ?, 'b2c', ?)")
            : nil
        var names: [String: ClassName] = [:]
        for dataset in targets {
            if store {
                try db.execute(sql: """
                    DELETE FROM caption WHERE source = 'b2c'
                    AND image_id IN (SELECT id FROM image WHERE dataset_id = ?)
                    """, arguments: [dataset.id])
                summary.replaced += db.changesCount
            }
            var current: ImageRow? = nil
            func finish(_ image: ImageRow) throws {
                summary.images += 1
                progress(summary.images, total)
                let size = image.size
                let captions = generator.captions(for: image.objects, imageSize: size, seed: seed,
                                                  identity: dataset.name + "/" + image.path)
                guard !captions.isEmpty else { return }
                summary.imagesCaptioned += 1
                summary.captions += captions.count
                if let insert {
                    for caption in captions {
                        // The three arguments always match the statement: skip GRDB's per-call check.
                        insert.setUncheckedArguments([image.id, caption.text, caption.rule.rawValue])
                        try insert.execute()
                    }
                }
                try each(B2CImageCaptions(dataset: dataset.name, path: image.path, captions: captions))
            }
            let rows = try Row.fetchCursor(db, sql: """
                SELECT i.id, i.path, i.width, i.height, o.class, o.x, o.y, o.w, o.h, o.source, o.difficult, o.ignore
                FROM image i LEFT JOIN object o ON o.image_id = i.id
                WHERE i.dataset_id = ? ORDER BY i.id, o.id
                """, arguments: [dataset.id])
            while let row = try rows.next() {
                let imageID: Int64 = row[0]
                if current?.id != imageID {
                    if let current { try finish(current) }
                    current = ImageRow(id: imageID, path: row[1], width: row[2], height: row[3])
                }
                guard let className: String = row[4] else { continue }
                let name: ClassName
                if let cached = names[className] {
                    name = cached
                } else {
                    name = naming.name(for: className)
                    names[className] = name
                }
                let origin: ObjectOrigin = (row[9] as String?) == "m2b" ? .m2b : .annotation
                current?.objects.append(B2CObject(
                    name: name, box: AxisBox(x: row[5], y: row[6], width: row[7], height: row[8]), origin: origin,
                    difficult: (row[10] as Int64?) == 1, ignore: (row[11] as Int64?) == 1))
            }
            if let current { try finish(current) }
        }
        return summary
    }

    /// The requested datasets (all when none are named, each once), each checked to exist.
    static func resolveDatasets(_ db: Database, _ requested: [String]) throws -> [(id: Int64, name: String)] {
        if requested.isEmpty {
            return try Row.fetchAll(db, sql: "SELECT id, name FROM dataset ORDER BY name")
                .map { (id: $0[0] as Int64, name: $0[1] as String) }
        }
        var seen = Set<String>()
        return try requested.filter { seen.insert($0).inserted }.map { name in
            let dataset = try DatasetRecord.require(name, in: db)
            return (id: dataset.id ?? 0, name: dataset.name)
        }
    }

    private struct ImageRow {
        var id: Int64
        var path: String
        var width: Int?
        var height: Int?
        var objects: [B2CObject] = []

        var size: ImageSize? {
            guard let width, let height, width > 0, height > 0 else { return nil }
            return ImageSize(width: Double(width), height: Double(height))
        }
    }
}
