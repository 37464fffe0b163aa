import ArgumentParser

/// The `skycorpus` tool: build remote-sensing image-text corpora.
@main
struct SkyCorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skycorpus",
        abstract: "Build remote-sensing image-text corpora: ingest, M2B, B2C, p-Hash dedup, CLIP.",
        subcommands: [
            Init.self,
            AddImages.self,
            Stats.self,
            Export.self,
            Caption.self,
            Tokenize.self, Encode.self, Embed.self,
            Caption.self, Prompts.self,
            Tokenize.self, Encode.self,
            ChangeCLIPPrompts.self,
            ContoursCommand.self, M2BCommand.self,
            Hash.self, Dedup.self,
            Ingest.self,
        ]
    )
}
