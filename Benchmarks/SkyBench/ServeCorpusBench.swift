import Foundation
import SkyHashing
import SkyStorage

/// `skybench serve-corpus --vectors V.npy --model CHECKPOINT --out CORPUS [--name NAME]`: writes a corpus of
/// synthetic stored vectors for the server benchmark: one dataset `synthetic` with one image row per vector (no
/// files: searches answer, thumbnails do not), splits train/val/test, and the vectors stored as the image embeddings
/// of the checkpoint (registered with its SHA-256, so `skycorpus serve --model CHECKPOINT` accepts it). The vectors'
/// dimension must be the model's. Prints one JSON object.
enum ServeCorpusBench {
    static func run(_ arguments: [String]) throws {
        var options: [String: String] = [:]
        for index in stride(from: 0, to: arguments.count - 1, by: 2) { options[arguments[index]] = arguments[index + 1] }
        guard let vectorPath = options["--vectors"], let model = options["--model"], let out = options["--out"] else {
            throw IndexBench.BenchError("usage: skybench serve-corpus --vectors V.npy --model CHECKPOINT --out CORPUS [--name NAME]")
        }
        let start = BenchClock.now()
        let (vectors, count, dimension) = try IndexBench.readNPY(vectorPath)
        try? FileManager.default.removeItem(atPath: out)
        let corpus = try Corpus(path: out, access: .create)
        let splits = ["train", "val", "test"]
        let ids: [Int64] = try corpus.write { transaction in
            let dataset = try transaction.insertDataset(DatasetRecord(name: "synthetic", root: "/nonexistent/synthetic"))
            let root = try transaction.root(dataset: dataset, path: "/nonexistent/synthetic")
            return try (0..<count).map { row in
                try transaction.insertImage(ImageRecord(datasetId: dataset, rootId: root, path: String(format: "%07d.png", row),
                                                        split: splits[row % 3], width: 512, height: 512))
            }
        }
        let info = EncoderModelInfo(name: options["--name"] ?? URL(fileURLWithPath: model).lastPathComponent,
                                    architecture: "synthetic", checksum: try FileDigest.sha256(ofFile: model), dimension: dimension)
        let modelId = try corpus.registerEncoder(info)
        for chunk in stride(from: 0, to: count, by: 50_000) {
            let rows = chunk..<min(count, chunk + 50_000)
            try corpus.storeEmbeddings(model: modelId, kind: .image,
                                       rows.map { (ids[$0], Array(vectors[$0 * dimension..<($0 + 1) * dimension])) })
        }
        let report: [String: Any] = ["corpus": out, "images": count, "dimension": dimension, "seconds": BenchClock.now() - start]
        print(String(data: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), encoding: .utf8) ?? "{}")
    }
}
