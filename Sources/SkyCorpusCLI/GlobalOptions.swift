import ArgumentParser
import Foundation
import SkyPipeline
import SkyStorage

/// Options every subcommand takes: where the corpus is, and how to report.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The corpus file.", valueName: "path"))
    var corpus: String = "./corpus.sqlite"

    @Flag(name: .long, help: "Print machine-readable JSON on stdout.")
    var json = false

    @Flag(name: .long, help: "Print no progress on stderr.")
    var quiet = false

    /// Opens the corpus: `.create` makes a new one when the file is missing; `.readOnly` never writes (reader commands).
    func openCorpus(_ access: Corpus.Access = .readWrite) throws -> Corpus {
        try Corpus(path: corpus, access: access)
    }

    /// A progress reporter on stderr that honours `--quiet`.
    func progress(_ label: String) -> ProgressReporter {
        ProgressReporter(label: label, enabled: !quiet)
    }
}
