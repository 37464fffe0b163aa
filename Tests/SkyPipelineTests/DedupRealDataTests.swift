import Foundation
import GRDB
import SkyPipeline
import SkyStorage
import SkyTestSupport
import Testing

/// `<package root>/../shared/realdata`, present on the build machine, absent elsewhere.
private let realData = TestPaths.realData
private let hasRealData = TestPaths.hasRealData

@Suite("dedup on real data")
struct DedupRealDataTests {
    /// DOTA's demo images P0003-P0005 are the same pictures that iSAID ships: dedup must find them
    /// across datasets, keep the dataset of higher priority, and report them as leakage when protected.
    @Test("DOTA and iSAID share P0003-P0005", .enabled(if: hasRealData))
    func crossDatasetDuplicates() throws {
        let folder = try TemporaryFolder("dedup-real")
        let corpus = try folder.newCorpus()
        _ = try ImageRegistration(dataset: "dota", folder: realData.appendingPathComponent("dota/demo/images").path,
                                  split: "train").run(in: corpus)
        for split in ["train", "val", "test"] {
            _ = try ImageRegistration(dataset: "isaid-\(split)", folder: realData.appendingPathComponent("isaid/\(split)/images").path,
                                      split: split).run(in: corpus)
        }
        try corpus.pool.write { db in try db.execute(sql: "UPDATE dataset SET priority = 1 WHERE name = 'dota'") }

        let plain = try Deduplication(threshold: 2).run(in: corpus)
        #expect(plain.summary.failed.isEmpty)
        let removed = Dictionary(plain.removals.map { ($0.removed, $0) }, uniquingKeysWith: { first, _ in first })
        for (isaid, dota) in [("isaid-val:P0003.png", "dota:P0003.png"),
                              ("isaid-val:P0004.png", "dota:P0004.png"),
                              ("isaid-train:P0005.png", "dota:P0005.png")] {
            #expect(removed[isaid]?.kept == dota, "\(isaid) should duplicate \(dota)")
            #expect(removed[isaid]?.distance == 0)
        }
        #expect(removed["dota:P1478__1__853___962.png"] == nil)

        // Protecting iSAID's val split turns the DOTA copies of its images into leakage.
        let protected = try Deduplication(threshold: 2, protected: [ProtectedSplit(dataset: "isaid-val", split: "val")])
            .run(in: corpus)
        #expect(protected.summary.hashed == 0)
        let leaks = protected.removals.filter { $0.kind == .leakage }.map(\.removed).sorted()
        #expect(leaks == ["dota:P0003.png", "dota:P0004.png"])
    }
}
