import GRDB

/// The recipe a corpus was built from (`build_recipe`, one row).
public struct BuildRecipeRecord: Sendable, Equatable, Codable {
    /// SHA-256 of the recipe's canonical form.
    public var digest: String
    /// The recipe file the first build read.
    public var path: String
    /// K of `--shard K/N` (1-based); nil for a whole build or a merge.
    public var shardIndex: Int?
    /// N of `--shard K/N`; for a merge, the N of its shards.
    public var shardCount: Int?

    public init(digest: String, path: String, shardIndex: Int? = nil, shardCount: Int? = nil) {
        self.digest = digest
        self.path = path
        self.shardIndex = shardIndex
        self.shardCount = shardCount
    }
}

/// A finished build stage (`build_stage`).
public struct BuildStageRecord: Sendable, Equatable, Codable {
    /// The stage's name (`ingest:DATASET:N`, `m2b`, `caption`, ...).
    public var name: String
    /// Wall time of the stage in seconds.
    public var seconds: Double
    /// The stage's summary as JSON.
    public var summary: String

    public init(name: String, seconds: Double, summary: String) {
        self.name = name
        self.seconds = seconds
        self.summary = summary
    }
}

/// A shard merged into the corpus (`build_shard`).
public struct MergedShardRecord: Sendable, Equatable, Codable {
    public var shardIndex: Int
    public var shardCount: Int
    /// The shard corpus's path when it was merged.
    public var source: String
    public var images: Int
}

/// The build tables' operations: recipe, runs, stages, image ordinals, merged shards.
extension CorpusTransaction {
    /// The recipe the corpus was built from, or nil when no build has touched it.
    public func buildRecipe() throws -> BuildRecipeRecord? {
        try Row.fetchOne(db, sql: "SELECT digest, path, shard_index, shard_count FROM build_recipe WHERE id = 1").map {
            BuildRecipeRecord(digest: $0["digest"], path: $0["path"], shardIndex: $0["shard_index"],
                              shardCount: $0["shard_count"])
        }
    }

    /// Records the recipe the corpus is built from (first build or merge).
    public func setBuildRecipe(_ record: BuildRecipeRecord) throws {
        try db.execute(sql: """
            INSERT INTO build_recipe (id, digest, path, shard_index, shard_count) VALUES (1, ?, ?, ?, ?)
            """, arguments: [record.digest, record.path, record.shardIndex, record.shardCount])
    }

    /// Starts a run of `command`; its id.
    public func startBuildRun(command: String) throws -> Int64 {
        try db.execute(sql: "INSERT INTO build_run (command) VALUES (?)", arguments: [command])
        return db.lastInsertedRowID
    }

    /// Marks a run finished.
    public func finishBuildRun(_ id: Int64) throws {
        try db.execute(sql: "UPDATE build_run SET finished_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
                       arguments: [id])
    }

    /// The runs so far: (command, finished).
    public func buildRuns() throws -> [(command: String, finished: Bool)] {
        try Row.fetchAll(db, sql: "SELECT command, finished_at IS NOT NULL AS finished FROM build_run ORDER BY id").map {
            ($0["command"], $0["finished"])
        }
    }

    /// The finished stages, by name.
    public func finishedStages() throws -> [String: BuildStageRecord] {
        var stages: [String: BuildStageRecord] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT name, seconds, summary FROM build_stage") {
            let record = BuildStageRecord(name: row["name"], seconds: row["seconds"], summary: row["summary"])
            stages[record.name] = record
        }
        return stages
    }

    /// Records a finished stage (replacing an earlier record of the same name).
    public func recordStage(_ stage: BuildStageRecord, run: Int64) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO build_stage (name, run_id, seconds, summary) VALUES (?, ?, ?, ?)
            """, arguments: [stage.name, run, stage.seconds, stage.summary])
    }

    /// Gives every image of the dataset that has no ordinal yet the ordinal of its path (images whose path the
    /// map lacks get none); the number of ordinals written.
    @discardableResult
    public func recordImageOrdinals(dataset: Int64, ordinals: [String: Int64]) throws -> Int {
        let rows = try Row.fetchAll(db, sql: """
            SELECT i.id, i.path FROM image i LEFT JOIN build_image b ON b.image_id = i.id
            WHERE i.dataset_id = ? AND b.image_id IS NULL
            """, arguments: [dataset])
        let insert = try db.makeStatement(sql: "INSERT INTO build_image (image_id, ordinal) VALUES (?, ?)")
        var written = 0
        for row in rows {
            let path: String = row["path"]
            guard let ordinal = ordinals[path] else { continue }
            try insert.execute(arguments: [row["id"] as Int64, ordinal])
            written += 1
        }
        return written
    }

    /// The shards merged into the corpus.
    public func mergedShards() throws -> [MergedShardRecord] {
        try Row.fetchAll(db, sql: """
            SELECT shard_index, shard_count, source, images FROM build_shard ORDER BY shard_count, shard_index
            """).map {
            MergedShardRecord(shardIndex: $0["shard_index"], shardCount: $0["shard_count"], source: $0["source"],
                              images: $0["images"])
        }
    }

    /// Sets a dataset's dedup priority (the keeper of a duplicate group comes from the higher priority).
    public func setPriority(dataset: Int64, _ priority: Int) throws {
        try db.execute(sql: "UPDATE dataset SET priority = ? WHERE id = ?", arguments: [priority, dataset])
    }
}
