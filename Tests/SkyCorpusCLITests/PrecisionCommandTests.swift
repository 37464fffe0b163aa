import Foundation
import SkyTestSupport
import Testing

/// `--precision` as a user meets it: the same option and error on every model command (serve included), and the
/// precision a corpus's embeddings were made with, recorded, shown and never mixed into one set.
@Suite(.enabled(if: CommandRunner.available, "the skycorpus binary is not built"))
struct PrecisionCommandTests {
    static let model = TestPaths.tinyCheckpoint

    /// Whether this CPU runs bf16, asked of the binary itself; where it does not, the refusal must be the
    /// documented one-line error (so the bf16 tests below skip cleanly, having checked that).
    static func bf16Available() throws -> Bool {
        let probe = try CommandRunner.run(["encode", "--model", model, "--text", "a harbour", "--precision", "bf16"])
        if probe.status == 0 { return true }
        #expect(probe.status == 1 && probe.stderr.contains("precision bf16 is not available"), "\(probe.stderr)")
        return false
    }

    @Test func serveTakesThePrecisionOfTheOtherModelCommands() throws {
        let help = try CommandRunner.run(["serve", "--help"])
        #expect(help.status == 0 && help.stdout.contains("--precision"))
        for command in ["serve", "encode", "search"] {
            let bad = try CommandRunner.run([command, "--model", Self.model, "--precision", "fp16"])
            #expect(bad.status == 64, "\(command): \(bad.stderr)")
            #expect(bad.stderr.contains("fp16") && bad.stderr.contains("fp32") && bad.stderr.contains("bf16"),
                    "\(command): \(bad.stderr)")
        }
    }

    /// serve loads the model at --precision before it opens the corpus: on a CPU without AVX512-BF16 that is the
    /// same error `encode` gives; with it, loading succeeds and the run stops at the missing corpus instead.
    @Test func serveLoadsTheModelAtThePrecisionAsked() throws {
        let folder = try TemporaryFolder("serve-precision")
        let result = try CommandRunner.run(["serve", "--model", Self.model, "--precision", "bf16",
                                            "--corpus", folder.path("absent.sqlite"), "--port", "1"])
        #expect(result.status == 1, "\(result.stderr)")
        if try Self.bf16Available() {
            #expect(result.stderr.contains("absent.sqlite") && !result.stderr.contains("not available"), "\(result.stderr)")
        } else {
            #expect(result.stderr.contains("precision bf16 is not available"), "\(result.stderr)")
        }
    }
}

/// The stored precision through the commands: embed records it, refuses to mix another into one set (naming
/// --precision and --name), keeps it apart under another name, and stats and search say what is stored.
@Suite(.enabled(if: CommandRunner.available, "the skycorpus binary is not built"))
struct StoredPrecisionCommandTests {
    static let model = TestPaths.tinyCheckpoint

    /// A corpus with the first two example images registered.
    static func corpus(_ folder: TemporaryFolder) throws -> String {
        let corpus = folder.path("corpus.sqlite")
        let images = folder.url.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        for index in 0..<2 {
            try FileManager.default.copyItem(atPath: TestPaths.package("Examples/dota/images/P900\(index).png").path,
                                             toPath: images.appendingPathComponent("\(index).png").path)
        }
        #expect(try CommandRunner.run(["init", "--corpus", corpus, "--quiet"]).status == 0)
        let add = try CommandRunner.run(["add-images", images.path, "--dataset", "tiny", "--corpus", corpus, "--quiet"])
        #expect(add.status == 0, "\(add.stderr)")
        return corpus
    }

    @Test func embedRecordsThePrecisionAndRefusesToMixAnother() throws {
        let folder = try TemporaryFolder("stored-precision")
        let corpus = try Self.corpus(folder)
        let embed = ["embed", "--model", Self.model, "--corpus", corpus, "--what", "images", "--quiet"]
        let first = try CommandRunner.run(embed)
        #expect(first.status == 0 && first.stdout.contains(", fp32]: 2 new images"), "\(first.stdout) \(first.stderr)")
        let again = try CommandRunner.run(embed + ["--precision", "fp32"])
        #expect(again.status == 0 && again.stdout.contains("0 new images (2 in all"), "\(again.stdout) \(again.stderr)")
        let stats = try CommandRunner.run(["stats", "--corpus", corpus])
        #expect(stats.stdout.contains("embeddings of tiny-clip-vocab49408.safetensors (fp32, dimension 16): 2 images"),
                "\(stats.stdout)")
        guard try PrecisionCommandTests.bf16Available() else { return }
        let mixed = try CommandRunner.run(embed + ["--precision", "bf16"])
        #expect(mixed.status == 1)
        #expect(mixed.stderr.contains("holds fp32 embeddings; bf16 ones would mix") && mixed.stderr.contains("--precision fp32")
                && mixed.stderr.contains("--name"), "\(mixed.stderr)")
        let apart = try CommandRunner.run(embed + ["--precision", "bf16", "--name", "tiny-bf16"])
        #expect(apart.status == 0 && apart.stdout.contains("tiny-bf16") && apart.stdout.contains(", bf16]: 2 new images"),
                "\(apart.stdout) \(apart.stderr)")
        let index = try CommandRunner.run(["index", "build", "--model", Self.model, "--corpus", corpus, "--name", "tiny-bf16"])
        #expect(index.status == 0 && index.stdout.contains("2 image embeddings of 'tiny-bf16' (bf16)"), "\(index.stdout) \(index.stderr)")
        let both = try CommandRunner.run(["stats", "--corpus", corpus, "--json"])
        let sets = try #require((try JSONSerialization.jsonObject(with: Data(both.stdout.utf8)) as? [String: Any])?["embeddings"]
                                as? [[String: Any]])
        #expect(sets.compactMap { $0["precision"] as? String } == ["fp32", "bf16"])
        #expect(sets.compactMap { $0["model"] as? String } == ["tiny-clip-vocab49408.safetensors", "tiny-bf16"])
        // A bf16 query over the fp32 set works and says what is stored; over the bf16 set it says nothing.
        let search = try CommandRunner.run(["search", "--model", Self.model, "--corpus", corpus, "--precision", "bf16", "a harbour"])
        #expect(search.status == 0 && search.stdout.split(separator: "\n").count == 2, "\(search.stderr)")
        #expect(search.stderr.contains("queries are encoded at bf16; the stored embeddings of 'tiny-clip-vocab49408.safetensors' were made at fp32"),
                "\(search.stderr)")
        let same = try CommandRunner.run(["search", "--model", Self.model, "--corpus", corpus, "--precision", "bf16",
                                          "--name", "tiny-bf16", "a harbour"])
        #expect(same.status == 0 && !same.stderr.contains("stored embeddings"), "\(same.stderr)")
    }
}
