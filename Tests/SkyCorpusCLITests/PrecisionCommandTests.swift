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
