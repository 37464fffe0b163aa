import ArgumentParser
import Foundation
import SkyCLIP
import SkyIndex
import SkySearch
import SkyServer

/// `skycorpus serve`: the corpus as a JSON API and a web page (search, browse, overlays, duplicates, change pairs),
/// with the model and the index loaded once.
struct Serve: ParsableCommand, FlagHints {
    static let configuration = CommandConfiguration(
        abstract: "Serve the corpus: a JSON API and a web page to search and browse it.",
        discussion: "Loads the corpus (read-only), and with --model the checkpoint and the index of its stored "
            + "embeddings, once; then answers on http://HOST:PORT/ until interrupted. Without --model (or when the "
            + "corpus holds no embeddings of it) browsing works and the search endpoints answer 409 with what to do. "
            + "Listens on 127.0.0.1 only unless --host says otherwise.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The CLIP checkpoint the corpus was embedded with (enables search).", valueName: "path"))
    var model: String?

    /// How the checkpoint is read and run (`--precision`, `--activation`, ...), shared with the other model commands.
    @OptionGroup var flags: EncoderFlags

    @Option(help: "The name the model was registered under by 'embed' (default: the checkpoint's file name).")
    var name: String?

    @Option(help: "The address to listen on.")
    var host = ServerConfiguration.defaultHost

    @Option(help: "The port to listen on.")
    var port = ServerConfiguration.defaultPort

    @Option(help: ArgumentHelp("The largest request body (an uploaded image) accepted, in bytes.", valueName: "bytes"))
    var uploadLimit = ServerConfiguration.defaultUploadLimit

    @Option(help: ArgumentHelp("The HNSW search beam when the saved index is used (larger: higher recall, slower; "
                               + "default \(ApproximateIndex.defaultEfSearch), \(ApproximateIndex.largeGraphEfSearch) from \(ApproximateIndex.largeGraphCount) vectors).", valueName: "n"))
    var ef: Int?

    func validate() throws {
        guard (1...65_535).contains(port) else { throw ValidationError("--port \(port): give 1 to 65535") }
        if let ef, !ApproximateIndex.efSearchRange.contains(ef) {
            throw ValidationError("--ef \(ef): give \(ApproximateIndex.efSearchRange.lowerBound) to \(ApproximateIndex.efSearchRange.upperBound)")
        }
        guard !host.isEmpty else { throw ValidationError("--host is empty: give an address such as 127.0.0.1") }
        guard ServerConfiguration.uploadLimitRange.contains(uploadLimit) else {
            throw ValidationError("--upload-limit \(uploadLimit): give \(ServerConfiguration.uploadLimitRange.lowerBound) "
                                  + "to \(ServerConfiguration.uploadLimitRange.upperBound) bytes")
        }
    }

    func run() throws {
        // Every query the server encodes (texts, uploads) goes through this one model, at --precision.
        let loaded = try model.map { path in
            (encoder: try CLIPEncoder(model: try flags.load(path).0, reducedJPEGDecode: flags.fastJpeg), path: path)
        }
        let service = try CorpusService.load(corpusPath: global.corpus, model: loaded, name: name,
                                             configuration: ServerConfiguration(host: host, port: port, uploadLimit: uploadLimit),
                                             efSearch: ef)
        if case .unavailable(let reason, let hint) = service.search, model != nil {
            Output.note("skycorpus serve: search is unavailable: \(reason) (\(hint))")
        }
        if case .ready(let engine) = service.search, let note = engine.precisionNote, !global.quiet {
            Output.note("skycorpus serve: " + note)
        }
        let (corpus, host, port, quiet) = (global.corpus, host, port, global.quiet)
        try SkyServer.serve(service: service) {
            if !quiet { Output.note("skycorpus serve: \(corpus) on http://\(host):\(port)/ (Ctrl-C stops)") }
        }
    }

    func hint(for error: Error) -> String? {
        switch error {
        case ServerStartError.portInUse: "pass --port to use another port"
        case ServerStartError.cannotBind: "pass --host 127.0.0.1 or another --port"
        default: CommandError.generalHint(for: error)
        }
    }
}
