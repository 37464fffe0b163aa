import Foundation
import SkyTestSupport
import Testing

/// A build killed with SIGKILL (through the built binary) at random points, then resumed, ends with the corpus and
/// exports of an uninterrupted build.
@Suite struct ResumeTests {
    @Test func killedBuildsResumeToTheUninterruptedCorpus() throws {
        guard Binary.available else { return }
        let folder = try TemporaryFolder("resume")
        let recipe = try folder.write(BuildFixture.recipe, to: "recipe.yaml")
        let reference = folder.path("reference/corpus.sqlite")
        let start = Date()
        let result = try Binary.run(["build", recipe, "--corpus", reference, "--quiet"])
        #expect(result.status == 0, "\(result.err)")
        let duration = Date().timeIntervalSince(start)
        var random = SplitMix64(seed: 14)
        var killed = 0
        for attempt in 0..<3 {
            let corpus = folder.path("killed-\(attempt)/corpus.sqlite")
            // Kill at 1 to 3 random points in the first 70 % of the build's run time (later runs resume, so they have
            // less left to do), then let it finish.
            for _ in 0..<(1 + attempt) {
                let delay = (0.05 + 0.65 * Double(random.next() % 1000) / 1000) * duration
                if try Binary.runKilled(["build", recipe, "--corpus", corpus], after: delay) { killed += 1 }
            }
            let resumed = try Binary.run(["build", recipe, "--corpus", corpus, "--quiet"])
            #expect(resumed.status == 0, "\(resumed.err)")
            #expect(try CorpusDump(path: corpus) == CorpusDump(path: reference))
            #expect(try BuildFixture.exports(in: folder.url.appendingPathComponent("killed-\(attempt)"))
                    == BuildFixture.exports(in: folder.url.appendingPathComponent("reference")))
        }
        #expect(killed >= 3, "most kills should land while the build runs")
    }
}
