import GRDB

/// One saved evaluation run.
public struct StoredEvaluation: Sendable, Equatable, Codable {
    public var id: Int64
    public var task: EvaluationTask
    public var model: String
    public var dataset: String?
    public var split: String?
    /// JSON objects as saved.
    public var settings: String
    public var metrics: String
    public var createdAt: String
}

/// The `evaluation` table's operations.
extension CorpusTransaction {
    /// Saves one evaluation run; its id and date. The result of the same evaluation (task, model, dataset, split and
    /// settings) saved before is replaced in place, keeping its id: re-running an evaluation leaves one row.
    public func saveEvaluation(task: EvaluationTask, model: Int64, dataset: Int64?, split: String?, settings: String,
                               metrics: String) throws -> (id: Int64, createdAt: String) {
        let same: StatementArguments = [task.rawValue, model, dataset, split, settings]
        let id: Int64
        if let existing = try Int64.fetchOne(db, sql: """
            SELECT id FROM evaluation WHERE task = ? AND model_id = ? AND dataset_id IS ? AND split IS ? AND settings = ?
            ORDER BY id LIMIT 1
            """, arguments: same) {
            try db.execute(sql: """
                UPDATE evaluation SET metrics = ?, created_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?
                """, arguments: [metrics, existing])
            id = existing
        } else {
            try db.execute(sql: """
                INSERT INTO evaluation (task, model_id, dataset_id, split, settings, metrics) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: same + [metrics])
            id = db.lastInsertedRowID
        }
        let date = try String.fetchOne(db, sql: "SELECT created_at FROM evaluation WHERE id = ?", arguments: [id]) ?? ""
        return (id, date)
    }

    /// Saved runs, newest first; `task` restricts them.
    public func evaluations(task: EvaluationTask? = nil) throws -> [StoredEvaluation] {
        var sql = """
            SELECT e.id, e.task, m.name, d.name, e.split, e.settings, e.metrics, e.created_at FROM evaluation e
            JOIN encoder_model m ON m.id = e.model_id LEFT JOIN dataset d ON d.id = e.dataset_id
            """
        var arguments: StatementArguments = []
        if let task {
            sql += " WHERE e.task = ?"
            arguments = [task.rawValue]
        }
        sql += " ORDER BY e.id DESC"
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map {
            StoredEvaluation(id: $0[0], task: EvaluationTask(rawValue: $0[1]) ?? .retrieval, model: $0[2], dataset: $0[3],
                             split: $0[4], settings: $0[5], metrics: $0[6], createdAt: $0[7])
        }
    }
}
