import GRDB
import SkyStorage
import SkyTestSupport
import Testing

/// The lookups on the build's hot paths go through an index (`EXPLAIN QUERY PLAN`), so their cost grows with
/// log n, not with a root's image count.
@Suite struct LookupPlanTests {
    private func plan(_ sql: String, _ arguments: StatementArguments, in corpus: Corpus) throws -> String {
        try corpus.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments)
                .map { $0["detail"] as String }.joined(separator: "\n")
        }
    }

    @Test func aMaskPathFindsItsImageThroughTheMaskPathIndex() throws {
        let folder = try TemporaryFolder("plan-mask")
        let corpus = try folder.newCorpus()
        let detail = try plan(CorpusTransaction.imageListingMaskSQL, ["ann/1.png", 1], in: corpus)
        #expect(detail.contains("SEARCH mask USING INDEX mask_path (path=?)"), "\(detail)")
        #expect(detail.contains("SEARCH image USING INTEGER PRIMARY KEY (rowid=?)"), "\(detail)")
        #expect(!detail.contains("image_root"), "\(detail)")
    }

    @Test func anImageUnderARootIsFoundByRootAndPath() throws {
        let folder = try TemporaryFolder("plan-image")
        let corpus = try folder.newCorpus()
        let detail = try plan("SELECT * FROM image WHERE root_id = ? AND path = ?", [1, "a.png"], in: corpus)
        #expect(detail.contains("USING INDEX image_root_path (root_id=? AND path=?)"), "\(detail)")
    }

    @Test func theMaskLookupFindsTheImageAmongManyOfItsRoot() throws {
        let folder = try TemporaryFolder("lookup-mask")
        let corpus = try folder.newCorpus()
        let ids = try corpus.write { transaction in
            let dataset = try transaction.insertDataset(DatasetRecord(name: "seg", root: folder.path("seg")))
            let root = try transaction.root(dataset: dataset, path: folder.path("seg"))
            var ids: [Int64] = []
            for number in 0..<200 {
                let id = try transaction.insertImage(ImageRecord(datasetId: dataset, rootId: root, path: "img/\(number).png"))
                try transaction.addMask(image: id, path: "ann/\(number).png", palette: "loveda")
                ids.append(id)
            }
            return (root, ids)
        }
        try corpus.read { transaction in
            let found = try transaction.imageListingMask(root: ids.0, maskPath: "ann/137.png")
            #expect(found?.image.id == ids.1[137] && found?.palette == "loveda")
            #expect(try transaction.imageListingMask(root: ids.0 + 1, maskPath: "ann/137.png") == nil)
            #expect(try transaction.imageAndDataset(id: ids.1[5])?.dataset.name == "seg")
            #expect(try transaction.imageAndDataset(id: 99_999) == nil)
        }
    }
}
