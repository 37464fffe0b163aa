import ArgumentParser
import Foundation
import SkyCLIP
import SkyImaging
import SkyPipeline
import SkyStorage

/// The `skycorpus` tool: build remote-sensing image-text corpora.
@main
struct SkyCorpusCommand: ParsableCommand {
    /// The tool's version, printed by `--version`.
    static let version = "0.4.0"

    static let configuration = CommandConfiguration(
        commandName: "skycorpus",
        abstract: "Build remote-sensing image-text corpora: ingest, M2B, B2C, p-Hash dedup, CLIP.",
        version: version,
        subcommands: [
            Init.self, AddImages.self, Ingest.self, Stats.self,
            ContoursCommand.self, M2BCommand.self,
            Caption.self, Prompts.self, ChangeCLIPPrompts.self,
            Hash.self, Dedup.self,
            Tokenize.self, Encode.self, Embed.self,
            Search.self, IndexCommand.self, Serve.self, Evaluate.self, ZeroShot.self, CountingSet.self,
            Export.self,
            Build.self, Merge.self,
        ]
    )

    /// Usage errors (bad flags, bad values, `validate()`) print the usage and exit 64; a failure of the work itself
    /// (bad data, a missing file, a busy corpus) prints one line naming what and where and exits 1.
    static func main() {
        // The pixel budget comes from the environment; a bad value is a usage error before any work.
        do {
            _ = try ImageDecoder.pixelLimit(environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("skycorpus: error: \(error)\n".utf8))
            Foundation.exit(64)
        }
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            var runnable = command
            try runnable.run()
        } catch let error as ValidationError {
            exit(withError: error)
        } catch let error as ExitCode {
            exit(withError: error)
        } catch let error as CleanExit {
            exit(withError: error)
        } catch where String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") {
            // `--help` and `help SUBCOMMAND` arrive here as ArgumentParser's own errors: it prints the help.
            exit(withError: error)
        } catch {
            let hint = (command as? FlagHints)?.hint(for: error) ?? CommandError.generalHint(for: error)
            FileHandle.standardError.write(Data(("skycorpus: error: \(error)" + (hint.map { " (\($0))" } ?? "") + "\n").utf8))
            Foundation.exit(1)
        }
    }
}

/// A failure of a command's work that no library error describes: one line, exit status 1.
struct CommandError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }

    /// The flag that changes the outcome of a library error, for every command.
    static func generalHint(for error: Error) -> String? {
        switch error {
        case CorpusError.missingCorpus: "pass --corpus PATH to use another corpus"
        case CorpusError.unopenable: "pass --corpus with a SkyCorpus corpus"
        case CLIPError.unsupportedPrecision: "pass --precision fp32, the default, or leave --precision out"
        default: nil
        }
    }
}

/// A command that knows which of its flags changes the outcome of a library error.
protocol FlagHints {
    /// The hint for `error`, or nil for the general one.
    func hint(for error: Error) -> String?
}
