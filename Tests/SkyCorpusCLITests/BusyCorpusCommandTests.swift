import Foundation
import SkyImaging
import SkyStorage
import SkyTestSupport
import Testing

/// A step run while another process holds the corpus's write lock: it waits the busy timeout, then fails with
/// one line saying the corpus is busy (not the "is it a corpus?" advice it once gave), exit status 1, nothing
/// written; a reader command meanwhile works.
@Suite(.enabled(if: CommandRunner.available, "the skycorpus binary is not built"))
struct BusyCorpusCommandTests {
    @Test func aStepWaitingPastTheTimeoutSaysTheCorpusIsBusy() throws {
        let folder = try TemporaryFolder("busy-cli")
        let corpusPath = folder.path("corpus.sqlite")
        var image = RasterImage(width: 8, height: 8, layout: .rgb)
        for byte in image.pixels.indices { image.pixels[byte] = UInt8(truncatingIfNeeded: byte &* 7) }
        try FileManager.default.createDirectory(atPath: folder.path("images"), withIntermediateDirectories: true)
        try ImageEncoder.write(image, to: folder.path("images/a.png"))
        let holder = try Corpus(path: corpusPath, create: true)
        var step: CommandRunner.Result?
        var stats: CommandRunner.Result?
        try holder.write { transaction in
            try transaction.insertDataset(DatasetRecord(name: "holding"))
            stats = try CommandRunner.run(["stats", "--corpus", corpusPath])
            step = try CommandRunner.run(["add-images", folder.path("images"), "--dataset", "d",
                                          "--corpus", corpusPath, "--quiet"])
        }
        #expect(stats?.status == 0, "a reader during a writer: \(stats?.stderr ?? "")")
        #expect(step?.status == 1)
        let lines = step?.stderr.split(separator: "\n") ?? []
        #expect(lines.count == 1)
        #expect(step?.stderr.contains("the corpus is busy: another skycorpus process is writing (waited 10 s)") == true,
                "\(step?.stderr ?? "")")
        #expect(step?.stderr.contains("skycorpus init") == false)
        let names = try holder.read { try $0.allDatasets().map(\.name) }
        #expect(names == ["holding"])
        // Once the lock is gone the same step succeeds.
        #expect(try CommandRunner.run(["add-images", folder.path("images"), "--dataset", "d", "--corpus", corpusPath,
                                       "--quiet"]).status == 0)
    }
}

/// `SKYCORPUS_PIXEL_LIMIT` sets every decoder's budget; a bad value is a usage error before any work.
@Suite(.enabled(if: CommandRunner.available, "the skycorpus binary is not built"))
struct PixelLimitCommandTests {
    @Test func theEnvironmentSetsThePixelBudget() throws {
        let folder = try TemporaryFolder("pixel-limit")
        try FileManager.default.createDirectory(atPath: folder.path("images"), withIntermediateDirectories: true)
        try ImageEncoder.write(RasterImage(width: 50, height: 40, layout: .rgb), to: folder.path("images/a.png"))
        let corpus = folder.path("corpus.sqlite")
        let arguments = ["add-images", folder.path("images"), "--dataset", "d", "--corpus", corpus, "--quiet"]
        let refused = try CommandRunner.run(arguments, environment: ["SKYCORPUS_PIXEL_LIMIT": "1000"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("50x40 is 2000 pixels, over the limit of 1000; "
            + "raise the limit with SKYCORPUS_PIXEL_LIMIT if the image is genuine"), "\(refused.stderr)")
        let raised = try CommandRunner.run(arguments, environment: ["SKYCORPUS_PIXEL_LIMIT": "2000"])
        #expect(raised.status == 0, "\(raised.stderr)")
        let bad = try CommandRunner.run(["stats", "--corpus", corpus], environment: ["SKYCORPUS_PIXEL_LIMIT": "lots"])
        #expect(bad.status == 64)
        #expect(bad.stderr == "skycorpus: error: SKYCORPUS_PIXEL_LIMIT: 'lots' is not a number of pixels "
            + "(write 400000000 or 400M)\n")
    }
}
