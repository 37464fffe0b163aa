import Foundation
import GRDB

/// A SkyCorpus corpus: one SQLite file in WAL mode, migrated to the schema of `Schemas/corpus.sql`.
///
/// A class because it owns a resource (the database pool). Every step writes through ``write(_:)``,
/// which is one transaction: a step that fails midway leaves the corpus exactly as it was.
public final class Corpus: Sendable {
    /// The path of the SQLite file.
    public let path: String
    /// The GRDB pool; reads run concurrently with the single writer.
    public let pool: DatabasePool

    /// Opens the corpus at `path`, creating it when `create` is true, and applies pending migrations.
    public init(path: String, create: Bool = false) throws {
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw CorpusError.missingCorpus(path: path)
        }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        self.path = path
        do {
            self.pool = try DatabasePool(path: path, configuration: configuration)
            try CorpusMigrations.migrator().migrate(pool)
        } catch let error as DatabaseError {
            throw CorpusError.unopenable(path: path, reason: error.message ?? "\(error.resultCode)")
        }
    }

    /// Runs `body` in one write transaction; any thrown error rolls the whole step back.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.write(body)
    }

    /// Runs `body` on a read-only snapshot.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    /// The names of the migrations applied so far, in order.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try CorpusMigrations.migrator().appliedMigrations(db) }
    }
}
