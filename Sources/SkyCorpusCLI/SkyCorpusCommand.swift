import ArgumentParser

/// The `skycorpus` tool: build remote-sensing image-text corpora.
@main
struct SkyCorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skycorpus",
        abstract: "Build remote-sensing image-text corpora: ingest, M2B, B2C, p-Hash dedup, CLIP.",
        subcommands: [
            Init.self, AddImages.self, Ingest.self, Stats.self,
            ContoursCommand.self, M2BCommand.self,
            Caption.self, Prompts.self, ChangeCLIPPrompts.self,
            Hash.self, Dedup.self,
            Tokenize.self, Encode.self, Embed.self,
            Search.self, Evaluate.self, ZeroShot.self,
            Export.self,
        ]
    )
}
