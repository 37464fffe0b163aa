import Foundation
import GRDB
import SkySchemas

/// The migrations of `Schemas/corpus.sql`: each `-- migration: NAME` section is one migration.
public enum CorpusMigrations {
    /// One migration: its name and the SQL it runs.
    public struct Section: Sendable, Equatable {
        public var name: String
        public var sql: String
    }

    /// Splits the DDL into its migration sections, in file order.
    public static func sections(of ddl: String) throws(CorpusError) -> [Section] {
        var sections: [Section] = []
        var currentName: String? = nil
        var currentLines: [Substring] = []
        func flush() {
            if let currentName {
                sections.append(Section(name: currentName, sql: currentLines.joined(separator: "\n")))
            }
        }
        let marker = "-- migration:"
        for line in ddl.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(marker) {
                flush()
                currentName = line.dropFirst(marker.count).trimmingCharacters(in: .whitespaces)
                currentLines = []
            } else if currentName != nil {
                currentLines.append(line)
            }
        }
        flush()
        guard !sections.isEmpty else {
            throw .schema("Schemas/corpus.sql has no '-- migration: NAME' section")
        }
        var seen = Set<String>()
        for section in sections where !seen.insert(section.name).inserted {
            throw .schema("Schemas/corpus.sql names migration '\(section.name)' twice")
        }
        return sections
    }

    /// The names of this build's migrations, in order: what a corpus of the current schema has applied.
    public static func names() throws -> [String] {
        try sections(of: try SkySchemas.text("corpus.sql")).map(\.name)
    }

    /// A GRDB migrator that applies every section of `Schemas/corpus.sql`.
    public static func migrator() throws -> DatabaseMigrator {
        let ddl = try SkySchemas.text("corpus.sql")
        var migrator = DatabaseMigrator()
        for section in try sections(of: ddl) {
            let sql = section.sql
            migrator.registerMigration(section.name) { db in
                try db.execute(sql: sql)
            }
        }
        return migrator
    }
}
