import ArgumentParser
import SkyCLIP

/// `skycorpus tokenize`: CLIP token ids of texts, identical to open_clip's tokenizer.
struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print CLIP token ids (open_clip's tokenizer: start, BPE ids, end, truncated to the context).",
        discussion: "Without --pad, the trailing zero padding is left out.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The texts to tokenize.")
    var texts: [String]

    @Option(help: "Context length (77 for every CLIP model).")
    var contextLength = CLIPTokenizer.contextLength

    @Flag(help: "Keep the zero padding up to the context length.")
    var pad = false

    struct Result: Encodable {
        var text: String
        var ids: [Int32]
        var truncated: Bool
    }

    func run() throws {
        guard contextLength >= 2 else { throw ValidationError("--context-length must be at least 2") }
        let tokenizer = try CLIPTokenizer()
        let results = texts.map { text -> Result in
            let full = tokenizer.encode(text).count + 2
            var ids = tokenizer.tokenize(text, contextLength: contextLength)
            if !pad { ids = Array(ids.prefix(min(full, contextLength))) }
            return Result(text: text, ids: ids, truncated: full > contextLength)
        }
        if global.json {
            try Output.json(results)
        } else {
            for result in results {
                print(result.ids.map(String.init).joined(separator: " ") + (result.truncated ? "  (truncated)" : ""))
            }
        }
    }
}
