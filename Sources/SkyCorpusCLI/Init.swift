import ArgumentParser
import SkyPipeline
import SkyStorage

/// `skycorpus init`: creates an empty corpus (or migrates an existing one).
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create an empty corpus, or bring an existing one to the current schema.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let corpus = try global.openCorpus(.create)
        let migrations = try corpus.appliedMigrations()
        if global.json {
            try Output.json(["corpus": corpus.path, "migrations": migrations.joined(separator: ",")])
        } else {
            print("corpus \(corpus.path) ready (schema \(migrations.last ?? "none"))")
        }
    }
}
