import Foundation
import GRDB

/// A SkyCorpus corpus: one SQLite file in WAL mode, migrated to the schema of `Schemas/corpus.sql`.
///
/// A class because it owns a resource (the database pool). Every step writes through ``write(_:)``,
/// which is one transaction: a step that fails midway leaves the corpus exactly as it was.
public final class Corpus: Sendable {
    /// How a corpus is opened.
    public enum Access: Sendable {
        /// Create the file when missing, apply pending migrations: what writing steps use.
        case create
        /// The file must exist; pending migrations are applied.
        case readWrite
        /// The file must exist and is never written, not even migrated: what `stats`, `export` and `search` use.
        /// A corpus whose schema is older than this build is refused with the command that migrates it.
        case readOnly
    }

    /// How long a step waits for another process's write lock before it gives up (seconds), by default.
    public static let busyTimeout: TimeInterval = 10

    /// How long this corpus waits for another connection's write lock before a step fails with
    /// ``CorpusError/busy(path:waited:)``.
    public let busyTimeout: TimeInterval

    /// The path of the SQLite file.
    public let path: String
    /// The GRDB pool; reads run concurrently with the single writer. Storage-internal and for tests.
    public let pool: DatabasePool
    /// How the corpus was opened.
    public let access: Access

    /// Opens the corpus at `path`, creating it when `create` is true, and applies pending migrations.
    public convenience init(path: String, create: Bool = false) throws {
        try self.init(path: path, access: create ? .create : .readWrite)
    }

    /// Opens the corpus at `path` with the given access, waiting at most `busyTimeout` seconds for another
    /// connection's write lock.
    public init(path: String, access: Access, busyTimeout: TimeInterval = Corpus.busyTimeout) throws {
        if access != .create && !FileManager.default.fileExists(atPath: path) {
            throw CorpusError.missingCorpus(path: path)
        }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeout)
        configuration.readonly = access == .readOnly
        if access != .readOnly {
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
        }
        self.path = path
        self.access = access
        self.busyTimeout = busyTimeout
        do {
            self.pool = try DatabasePool(path: path, configuration: configuration)
            let migrator = try CorpusMigrations.migrator()
            if access == .readOnly {
                let pending = try pool.read { db in
                    let applied = try migrator.appliedIdentifiers(db)
                    return migrator.migrations.filter { !applied.contains($0) }
                }
                if !pending.isEmpty { throw CorpusError.outdatedSchema(path: path, pending: pending) }
            } else {
                try migrator.migrate(pool)
            }
        } catch let error as DatabaseError {
            throw CorpusError(error, path: path, waited: busyTimeout)
        }
    }

    /// Runs `body` in one write transaction; any thrown error rolls the whole step back.
    public func write<T>(_ body: (CorpusTransaction) throws -> T) throws -> T {
        try writeDB { db in try body(CorpusTransaction(db: db)) }
    }

    /// Runs `body` on a read-only snapshot.
    public func read<T>(_ body: (CorpusTransaction) throws -> T) throws -> T {
        try readDB { db in try body(CorpusTransaction(db: db)) }
    }

    /// The storage module's own write access, with database errors given the corpus path.
    func writeDB<T>(_ body: (Database) throws -> T) throws -> T {
        guard access != .readOnly else { throw CorpusError.readOnly(path: path) }
        do {
            return try pool.write(body)
        } catch let error as DatabaseError {
            throw CorpusError(error, path: path, waited: busyTimeout)
        }
    }

    /// The storage module's own read access.
    func readDB<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let error as DatabaseError {
            throw CorpusError(error, path: path, waited: busyTimeout)
        }
    }

    /// The names of the migrations applied so far, in order.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try CorpusMigrations.migrator().appliedMigrations(db) }
    }
}

/// One transaction (or read snapshot) on the corpus: every table's named operations are methods of it, so no
/// module above storage writes SQL. It lives only inside ``Corpus/write(_:)`` or ``Corpus/read(_:)``.
public struct CorpusTransaction {
    let db: Database

    /// Rows changed by the last statement.
    var changes: Int { db.changesCount }
}
