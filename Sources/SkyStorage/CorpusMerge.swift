import Foundation
import GRDB

/// Merges shard corpora (built by `skycorpus build --shard K/N`) into one corpus with bulk SQL: each shard is
/// attached and copied table by table with `INSERT ... SELECT`, its ids remapped, in one transaction per shard.
///
/// Image ids: every image carries its ordinal in the recipe (`build_image`), the order a whole build inserts
/// images in, so the merge numbers the images of all its shards by that order and a merge of every shard gives
/// the ids of the unsharded build. Captions, objects, masks keep their order within each image. Duplicate marks are
/// not copied (dedup runs after the merge, over the whole corpus, on the stored hashes).
public enum CorpusMerge {
    /// What a shard is, read before anything is written.
    public struct ShardInfo: Sendable, Equatable {
        /// The shard corpus's path.
        public var path: String
        /// The recipe it was built from, with its K and N.
        public var recipe: BuildRecipeRecord?
        /// Its applied migrations.
        public var migrations: [String]
        /// Its finished stages, by name.
        public var stages: [String: BuildStageRecord]
        /// Its images.
        public var images: Int
        /// Whether its last build run finished (a killed shard build has not).
        public var finished: Bool
    }

    /// One image's identity and place: its ordinal, then dataset, root and path.
    struct ImageKey: Comparable {
        var ordinal: Int64
        var key: String
        var source: Int
        var id: Int64

        static func < (a: ImageKey, b: ImageKey) -> Bool { (a.ordinal, a.key) < (b.ordinal, b.key) }
    }

    /// What a merge did.
    public struct Summary: Sendable, Codable, Equatable {
        /// Shards copied now, and shards skipped because they were merged before.
        public var merged: [String]
        public var alreadyMerged: [String]
        /// Images copied now, and whether they got the ids of the unsharded build.
        public var images: Int
        public var idsAsUnsharded: Bool
        /// Wall time of the copy in seconds.
        public var seconds: Double
    }

    /// Reads a shard's recipe, schema and size, read-only.
    public static func inspect(_ path: String) throws -> ShardInfo {
        let corpus = try Corpus(path: path, access: .readOnly)
        return try corpus.read { transaction in
            ShardInfo(path: path, recipe: try transaction.buildRecipe(),
                      migrations: try CorpusMigrations.migrator().appliedMigrations(transaction.db),
                      stages: try transaction.finishedStages(),
                      images: try Int.fetchOne(transaction.db, sql: "SELECT COUNT(*) FROM image") ?? 0,
                      finished: try transaction.buildRuns().last?.finished ?? false)
        }
    }

    /// Merges `shards` (already checked by the caller: same recipe and schema, distinct K of one N) into `corpus`;
    /// shards whose K is already merged are skipped. Overlapping images (the same dataset, root and path in two
    /// shards, or already in the corpus) are refused before anything is written.
    public static func merge(_ shards: [ShardInfo], into corpus: Corpus, recipe: BuildRecipeRecord) throws -> Summary {
        let start = Date()
        let merged = Set(try corpus.read { try $0.mergedShards() }.map(\.shardIndex))
        let pending = shards.filter { !merged.contains($0.recipe?.shardIndex ?? 0) }
        var summary = Summary(merged: pending.map(\.path), alreadyMerged: shards.filter { merged.contains($0.recipe?.shardIndex ?? 0) }.map(\.path),
                              images: 0, idsAsUnsharded: true, seconds: 0)
        guard !pending.isEmpty else { return summary }
        try checkPrecisions(of: pending, against: corpus)
        // Every image of the corpus and of the pending shards, in recipe order.
        var keys = try corpus.readDB { try imageKeys(in: $0, schema: "main", source: -1) }
        let existing = keys.count
        for (index, shard) in pending.enumerated() {
            let shardCorpus = try Corpus(path: shard.path, access: .readOnly)
            keys += try shardCorpus.readDB { try imageKeys(in: $0, schema: "main", source: index) }
        }
        var seen: [String: Int] = [:]
        for key in keys {
            if let other = seen.updateValue(key.source, forKey: key.key) {
                let name = { (source: Int) in source < 0 ? corpus.path : pending[source].path }
                let readable = key.key.split(separator: "\0", omittingEmptySubsequences: false)
                throw CorpusError.invalidRequest("""
                    overlapping shards: image \(readable.first ?? "")/\(readable.last ?? "") is in both \(name(other)) \
                    and \(name(key.source)); shards of one 'build --shard K/N' never overlap: were these built with \
                    different N or from different datasets? Nothing was written
                    """)
            }
        }
        keys.sort()
        // The ids of an unsharded build are the ranks; keep them when the corpus's own images already sit there.
        var aligned = true
        for (rank, key) in keys.enumerated() where key.source < 0 && key.id != Int64(rank + 1) {
            aligned = false
            break
        }
        let base = aligned ? 0 : (try corpus.readDB { try Int64.fetchOne($0, sql: "SELECT IFNULL(MAX(id), 0) FROM image") } ?? 0)
        var newIDs: [[(old: Int64, new: Int64)]] = Array(repeating: [], count: pending.count)
        var next = base
        for (rank, key) in keys.enumerated() where key.source >= 0 {
            next = aligned ? Int64(rank + 1) : next + 1
            newIDs[key.source].append((key.id, next))
        }
        summary.idsAsUnsharded = aligned
        summary.images = keys.count - existing
        for (index, shard) in pending.enumerated() {
            try copy(shard, ids: newIDs[index], into: corpus, recipe: recipe)
        }
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    /// One model's embeddings are of one precision: refuses, before any shard is copied, a model (name and
    /// checksum) whose embeddings are of one precision in the corpus or a shard and of another in a later shard.
    static func checkPrecisions(of shards: [ShardInfo], against corpus: Corpus) throws {
        func precisions(_ db: Database) throws -> [(key: String, name: String, precision: String)] {
            try Row.fetchAll(db, sql: """
                SELECT m.name, m.checksum, m.precision FROM encoder_model m
                WHERE EXISTS (SELECT 1 FROM embedding e WHERE e.model_id = m.id) ORDER BY m.id
                """).map { (key: ($0["name"] as String) + "\0" + ($0["checksum"] as String), name: $0["name"], precision: $0["precision"]) }
        }
        var seen = Dictionary(try corpus.readDB(precisions).map { ($0.key, $0.precision) }, uniquingKeysWith: { first, _ in first })
        for shard in shards {
            for model in try Corpus(path: shard.path, access: .readOnly).readDB(precisions) {
                if let stored = seen[model.key], stored != model.precision {
                    throw EmbeddingStoreError.precisionConflict(name: model.name, stored: stored, given: model.precision)
                }
                seen[model.key] = model.precision
            }
        }
    }

    /// Every image's ordinal and `dataset NUL root NUL path`, read in one query.
    static func imageKeys(in db: Database, schema: String, source: Int) throws -> [ImageKey] {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT i.id, d.name, r.path AS root, i.path, b.ordinal FROM \(schema).image i
            JOIN \(schema).dataset d ON d.id = i.dataset_id JOIN \(schema).dataset_root r ON r.id = i.root_id
            LEFT JOIN \(schema).build_image b ON b.image_id = i.id
            """)
        var keys: [ImageKey] = []
        while let row = try rows.next() {
            let name: String = row[1], root: String = row[2], path: String = row[3]
            keys.append(ImageKey(ordinal: row[4] ?? Int64.max, key: name + "\0" + root + "\0" + path, source: source,
                                 id: row[0]))
        }
        return keys
    }

    /// Copies one shard in one transaction: attach, map ids in temporary tables, `INSERT ... SELECT` per table.
    static func copy(_ shard: ShardInfo, ids: [(old: Int64, new: Int64)], into corpus: Corpus,
                     recipe: BuildRecipeRecord) throws {
        guard corpus.access != .readOnly else { throw CorpusError.readOnly(path: corpus.path) }
        do {
            try corpus.pool.writeWithoutTransaction { db in
                try db.execute(sql: "ATTACH DATABASE ? AS shard", arguments: [shard.path])
                defer { try? db.execute(sql: "DETACH DATABASE shard") }
                try db.inTransaction(.immediate) {
                    try copyTables(db, ids: ids)
                    let transaction = CorpusTransaction(db: db)
                    if try transaction.buildRecipe() == nil { try transaction.setBuildRecipe(recipe) }
                    try db.execute(sql: """
                        INSERT INTO build_shard (shard_index, shard_count, source, images) VALUES (?, ?, ?, ?)
                        """, arguments: [shard.recipe?.shardIndex, shard.recipe?.shardCount, shard.path, ids.count])
                    return .commit
                }
            }
        } catch let error as DatabaseError {
            throw CorpusError(error, path: corpus.path)
        }
    }

    /// The table copies of one attached shard.
    static func copyTables(_ db: Database, ids: [(old: Int64, new: Int64)]) throws {
        try db.execute(sql: """
            CREATE TEMP TABLE merge_image (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);
            """)
        let insert = try db.makeStatement(sql: "INSERT INTO merge_image (old, new) VALUES (?, ?)")
        for pair in ids { try insert.execute(arguments: [pair.old, pair.new]) }
        try db.execute(sql: """
            INSERT OR IGNORE INTO main.dataset (name, root, format, priority, created_at)
                SELECT name, root, format, priority, created_at FROM shard.dataset ORDER BY id;
            CREATE TEMP TABLE merge_dataset AS
                SELECT s.id AS old, d.id AS new FROM shard.dataset s JOIN main.dataset d ON d.name = s.name;
            INSERT OR IGNORE INTO main.dataset_root (dataset_id, path)
                SELECT md.new, r.path FROM shard.dataset_root r JOIN merge_dataset md ON md.old = r.dataset_id ORDER BY r.id;
            CREATE TEMP TABLE merge_root AS
                SELECT r.id AS old, m.id AS new FROM shard.dataset_root r JOIN merge_dataset md ON md.old = r.dataset_id
                JOIN main.dataset_root m ON m.dataset_id = md.new AND m.path = r.path;
            INSERT INTO main.image (id, dataset_id, root_id, path, split, width, height, content_hash, phash, unreadable)
                SELECT mi.new, md.new, mr.new, i.path, i.split, i.width, i.height, i.content_hash, i.phash, i.unreadable
                FROM shard.image i JOIN merge_image mi ON mi.old = i.id JOIN merge_dataset md ON md.old = i.dataset_id
                JOIN merge_root mr ON mr.old = i.root_id ORDER BY mi.new;
            INSERT INTO main.build_image (image_id, ordinal)
                SELECT mi.new, b.ordinal FROM shard.build_image b JOIN merge_image mi ON mi.old = b.image_id;
            INSERT INTO main.mask (image_id, path, palette)
                SELECT mi.new, m.path, m.palette FROM shard.mask m JOIN merge_image mi ON mi.old = m.image_id
                ORDER BY mi.new, m.id;
            INSERT INTO main.object (image_id, class, raw_class, x, y, w, h, rotated, polygon, source, difficult, ignore, truncated,
                                     polygon_parts, area)
                SELECT mi.new, o.class, o.raw_class, o.x, o.y, o.w, o.h, o.rotated, o.polygon, o.source, o.difficult,
                       o.ignore, o.truncated, o.polygon_parts, o.area
                FROM shard.object o JOIN merge_image mi ON mi.old = o.image_id ORDER BY mi.new, o.id;
            CREATE TEMP TABLE merge_caption AS
                SELECT c.id AS old, (SELECT IFNULL(MAX(id), 0) FROM main.caption)
                       + ROW_NUMBER() OVER (ORDER BY mi.new, c.id) AS new, mi.new AS image
                FROM shard.caption c JOIN merge_image mi ON mi.old = c.image_id;
            INSERT INTO main.caption (id, image_id, text, source, rule)
                SELECT mc.new, mc.image, c.text, c.source, c.rule FROM shard.caption c JOIN merge_caption mc ON mc.old = c.id
                ORDER BY mc.new;
            INSERT INTO main.change_pair (dataset_id, before_image_id, after_image_id, label_path, label2_path, split)
                SELECT md.new, b.new, a.new, p.label_path, p.label2_path, p.split FROM shard.change_pair p
                JOIN merge_dataset md ON md.old = p.dataset_id JOIN merge_image b ON b.old = p.before_image_id
                JOIN merge_image a ON a.old = p.after_image_id ORDER BY p.id;
            INSERT OR IGNORE INTO main.prompt (dataset_id, image_id, template_set, class, text)
                SELECT md.new, mi.new, p.template_set, p.class, p.text FROM shard.prompt p
                LEFT JOIN merge_dataset md ON md.old = p.dataset_id LEFT JOIN merge_image mi ON mi.old = p.image_id
                WHERE p.image_id IS NULL OR mi.new IS NOT NULL ORDER BY p.id;
            INSERT OR IGNORE INTO main.encoder_model (name, architecture, checksum, dimension, created_at, precision)
                SELECT name, architecture, checksum, dimension, created_at, precision FROM shard.encoder_model ORDER BY id;
            INSERT OR IGNORE INTO main.embedding (model_id, item_kind, item_id, vector)
                SELECT m.id, e.item_kind, CASE e.item_kind WHEN 'image' THEN mi.new ELSE mc.new END, e.vector
                FROM shard.embedding e JOIN shard.encoder_model sm ON sm.id = e.model_id
                JOIN main.encoder_model m ON m.name = sm.name AND m.checksum = sm.checksum
                LEFT JOIN merge_image mi ON e.item_kind = 'image' AND mi.old = e.item_id
                LEFT JOIN merge_caption mc ON e.item_kind = 'caption' AND mc.old = e.item_id
                WHERE (e.item_kind = 'image' AND mi.new IS NOT NULL) OR (e.item_kind = 'caption' AND mc.new IS NOT NULL);
            INSERT INTO main.image_label (image_id, class, raw_class, score, rank, source, model_id, templates)
                SELECT mi.new, l.class, l.raw_class, l.score, l.rank, l.source, m.id, l.templates FROM shard.image_label l
                JOIN merge_image mi ON mi.old = l.image_id LEFT JOIN shard.encoder_model sm ON sm.id = l.model_id
                LEFT JOIN main.encoder_model m ON m.name = sm.name AND m.checksum = sm.checksum
                WHERE l.model_id IS NULL OR m.id IS NOT NULL ORDER BY mi.new, l.id;
            DROP TABLE merge_image; DROP TABLE merge_dataset; DROP TABLE merge_root; DROP TABLE merge_caption;
            """)
    }
}
