import Foundation
import SkyTestSupport
import Testing

/// `--help`, `SUBCOMMAND --help` and `help SUBCOMMAND` print the help and exit 0 (they once printed an
/// ArgumentParser error value and exited 1).
@Suite(.enabled(if: CommandRunner.available, "the skycorpus binary is not built"))
struct HelpCommandTests {
    @Test(arguments: [["--help"], ["stats", "--help"], ["help", "stats"], ["dedup", "-h"]])
    func helpPrintsTheUsage(_ arguments: [String]) throws {
        let result = try CommandRunner.run(arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        #expect(result.stdout.contains("OVERVIEW:") && result.stdout.contains("USAGE: skycorpus"), "\(result.stdout)")
        #expect(!result.stderr.contains("error"))
    }
}
