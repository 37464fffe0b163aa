import Foundation
import GRDB
import SkyTestSupport

/// The demo recipe with absolute dataset paths, written into a test folder (exports land beside the corpus).
enum BuildFixture {
    static let examples = TestPaths.package("Examples").path

    static let recipe = """
        datasets:
          - name: examples-dota
            sources:
              - {path: \(examples)/dota, format: dota}
              - {path: \(examples)/dota, format: captions}
            protect: [test]
            priority: 1
          - {name: examples-loveda, path: \(examples)/seg, palette: loveda}
          - {name: examples-levir, path: \(examples)/levir}
        steps:
          m2b: {datasets: [examples-loveda], min_area: 20}
          caption: {seed: 7}
          changes: {seed: 7}
          dedup: {threshold: 2, report: out/duplicates.csv}
          prompts:
            - {from_masks: true, dataset: examples-loveda}
            - {classes: [building, ship], dataset: examples-dota}
        exports:
          - {format: csv, out: out/train.csv, splits: [train]}
          - {format: webdataset, out: out/shards, shard_size: 5}
          - {format: jsonl, out: out/corpus.jsonl}
          - {format: prompts, out: out/prompts.jsonl}
        """

    /// The export files a build of ``recipe`` writes, relative to the corpus's folder.
    static let exportFiles = ["out/train.csv", "out/corpus.jsonl", "out/prompts.jsonl", "out/duplicates.csv"]

    /// Every export file's bytes, shards included, by relative path.
    static func exports(in folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in exportFiles { files[name] = try Data(contentsOf: folder.appendingPathComponent(name)) }
        let shards = folder.appendingPathComponent("out/shards")
        for name in try FileManager.default.contentsOfDirectory(atPath: shards.path).sorted() {
            files["out/shards/" + name] = try Data(contentsOf: shards.appendingPathComponent(name))
        }
        return files
    }
}

/// A corpus's content by stable keys (dataset and path, never row ids): what two builds must agree on.
struct CorpusDump: Equatable {
    var images: [String]
    var objects: [String]
    var captions: [String]
    var pairs: [String]
    var masks: [String]
    var prompts: [String]
    var imageIDs: [String]

    init(path: String) throws {
        let queue = try DatabaseQueue(path: path)
        func lines(_ sql: String) throws -> [String] {
            try queue.read { db in
                try Row.fetchAll(db, sql: sql).map { row in
                    row.databaseValues.map { $0.isNull ? "NULL" : "\($0)" }.joined(separator: "|")
                }
            }
        }
        let key = "d.name || ':' || i.path"
        images = try lines("""
            SELECT \(key), i.split, i.width, i.height, i.phash, i.unreadable,
                   (SELECT kd.name || ':' || k.path FROM image k JOIN dataset kd ON kd.id = k.dataset_id WHERE k.id = i.duplicate_of)
            FROM image i JOIN dataset d ON d.id = i.dataset_id ORDER BY 1
            """)
        imageIDs = try lines("SELECT i.id, \(key) FROM image i JOIN dataset d ON d.id = i.dataset_id ORDER BY i.id")
        objects = try lines("""
            SELECT \(key), o.class, o.raw_class, o.x, o.y, o.w, o.h, o.rotated, o.polygon, o.source, o.difficult, o.ignore
            FROM object o JOIN image i ON i.id = o.image_id JOIN dataset d ON d.id = i.dataset_id ORDER BY 1, 2, 3, 4, 5, 6, 7, 10
            """)
        captions = try lines("""
            SELECT \(key), c.source, c.rule, c.text FROM caption c JOIN image i ON i.id = c.image_id
            JOIN dataset d ON d.id = i.dataset_id ORDER BY d.name, i.path, c.id
            """)
        pairs = try lines("""
            SELECT d.name, b.path, a.path, p.label_path, p.split FROM change_pair p JOIN dataset d ON d.id = p.dataset_id
            JOIN image b ON b.id = p.before_image_id JOIN image a ON a.id = p.after_image_id ORDER BY 1, 2, 3
            """)
        masks = try lines("""
            SELECT \(key), m.path, m.palette FROM mask m JOIN image i ON i.id = m.image_id JOIN dataset d ON d.id = i.dataset_id
            ORDER BY 1, 2
            """)
        prompts = try lines("""
            SELECT IFNULL(d.name, ''), IFNULL(i.path, ''), p.template_set, IFNULL(p.class, ''), p.text FROM prompt p
            LEFT JOIN dataset d ON d.id = p.dataset_id LEFT JOIN image i ON i.id = p.image_id ORDER BY 1, 2, 3, 4, 5
            """)
    }
}

/// Runs the built `skycorpus` binary.
enum Binary {
    static let url: URL = {
        let bundleFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let beside = bundleFolder.appendingPathComponent("skycorpus")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return TestPaths.package(".build/debug/skycorpus")
    }()

    static var available: Bool { FileManager.default.isExecutableFile(atPath: url.path) }

    /// Runs `skycorpus ARGUMENTS`; (status, stdout, stderr).
    @discardableResult
    static func run(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// Starts `skycorpus ARGUMENTS` and kills it with SIGKILL after `delay` seconds (if it is still running);
    /// whether it was killed.
    static func runKilled(_ arguments: [String], after delay: Double) throws -> Bool {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments + ["--quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: delay)
        let running = process.isRunning
        if running { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return running && process.terminationReason == .uncaughtSignal
    }
}
