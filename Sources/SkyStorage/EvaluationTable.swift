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
    /// Saves one evaluation run; its id and date.
    public func insertEvaluation(task: EvaluationTask, model: Int64, dataset: Int64?, split: String?, settings: String,
                                 metrics: String) throws -> (id: Int64, createdAt: String) {
        try db.execute(sql: """
            INSERT INTO evaluation (task, model_id, dataset_id, split, settings, metrics) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [task.rawValue, model, dataset, split, settings, metrics])
        let id = db.lastInsertedRowID
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
