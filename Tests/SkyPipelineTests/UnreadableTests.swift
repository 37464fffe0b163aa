import Foundation
import GRDB
import SkyPipeline
import SkyStorage
import SkyTestSupport
import SkyImaging
import Testing

/// Steps that find a file cannot be decoded mark it in the corpus, skip it later, and clear the mark when it decodes.
@Suite struct UnreadableTests {
    func marks(_ corpus: Corpus) throws -> [String: String?] {
        try corpus.pool.read { db in
            var marks: [String: String?] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT path, unreadable FROM image") { marks[row["path"]] = row["unreadable"] as String? }
            return marks
        }
    }

    @Test func dedupMarksATruncatedFileSkipsItLaterAndClearsTheMarkWhenItDecodes() throws {
        let folder = try TemporaryFolder("dedup-unreadable")
        try folder.writeImages(3, in: "set", width: 40, height: 32)
        let corpus = try folder.newCorpus()
        _ = try ImageRegistration(dataset: "set", folder: folder.path("set"), split: "train").run(in: corpus)
        let good = try FileBytes.read(folder.path("set/img001.png"))
        try FileBytes.write(Array(good.prefix(60)), to: folder.path("set/img001.png"))  // signature and IHDR intact
        let first = try Deduplication().run(in: corpus).summary
        #expect(first.failed.count == 1 && first.hashed == 2 && first.skippedUnreadable.isEmpty)
        let reason = try #require(try marks(corpus)["img001.png"] ?? nil)
        #expect(!reason.isEmpty)
        #expect(try CorpusStats.read(from: corpus).datasets[0].unreadable == 1)

        // A re-run does not decode it again: it is listed once as marked, not as a new failure.
        let second = try Deduplication().run(in: corpus).summary
        #expect(second.failed.isEmpty && second.hashed == 0 && second.alreadyHashed == 2)
        #expect(second.skippedUnreadable.map(\.path) == ["set:img001.png"] && second.skippedUnreadable[0].reason == reason)

        // The file is replaced: a retry hashes it and clears the mark.
        try FileBytes.write(good, to: folder.path("set/img001.png"))
        let retry = try Deduplication(retryUnreadable: true).run(in: corpus).summary
        #expect(retry.hashed == 1 && retry.failed.isEmpty && retry.skippedUnreadable.isEmpty)
        #expect(try marks(corpus)["img001.png"] == .some(nil))
    }

    @Test func dedupDoesNotMarkAMissingFile() throws {
        let folder = try TemporaryFolder("dedup-missing")
        try folder.writeImages(2, in: "set")
        let corpus = try folder.newCorpus()
        _ = try ImageRegistration(dataset: "set", folder: folder.path("set")).run(in: corpus)
        try FileManager.default.removeItem(atPath: folder.path("set/img000.png"))
        let summary = try Deduplication().run(in: corpus).summary
        #expect(summary.failed.count == 1)
        #expect(try marks(corpus).values.allSatisfy { $0 == nil }, "a missing file is not a broken one")
    }

    @Test func embeddingsMarkUnreadableImagesInTheirBatchAndClearTheMarkOfStoredOnes() throws {
        let folder = try TemporaryFolder("embed-unreadable")
        try folder.writeImages(2, in: "set")
        let corpus = try folder.newCorpus()
        _ = try ImageRegistration(dataset: "set", folder: folder.path("set")).run(in: corpus)
        let model = try corpus.registerEncoder(EncoderModelInfo(name: "m", architecture: "test", checksum: "x", dimension: 2))
        let pending = try corpus.pendingEmbeddings(model: model, kind: .image)
        #expect(pending.count == 2)
        try corpus.storeEmbeddings(model: model, kind: .image, [(pending[0].id, [1, 0])],
                                   unreadable: [(pending[1].id, "truncated PNG")])
        #expect(try marks(corpus)["img001.png"] == .some("truncated PNG"))
        #expect(try corpus.pendingEmbeddings(model: model, kind: .image).isEmpty, "a marked image is not pending")
        // The file decodes again (replaced) and is embedded: the mark goes.
        try corpus.storeEmbeddings(model: model, kind: .image, [(pending[1].id, [0, 1])])
        #expect(try marks(corpus)["img001.png"] == .some(nil))
        #expect(try corpus.read { try $0.unreadableImageCount() } == 0)
    }
}
