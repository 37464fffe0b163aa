// skybench NAME ARGS...: times one hot path in process and prints one JSON object on stdout.
// The Python runners in Benchmarks/ call it and time the reference on the same input.
import Foundation

/// Every benchmark by name. Each lives in its own file beside this one.
let benchmarks: [String: ([String]) throws -> Void] = [
    "decode": DecodeBench.run,
    "caption": CaptionBench.run,
    "caption-change": CaptionChangeBench.run,
    "m2b": M2BBench.run,
    "hash": HashBench.run, "hash-agreement": HashBench.agreement, "hash-print": HashBench.printHashes, "dedup": DedupBench.run,
    "clip": CLIPEncodeBench.run,
    "limits": LimitsBench.run,
    "ingest-dota": IngestBench.runDOTA, "ingest-coco": IngestBench.runCOCO,
    "index": IndexBench.run, "index-pairs": IndexPairsBench.run, "serve-corpus": ServeCorpusBench.run,
    "generate": GenerateCommand.run,
    "probe": EvalBench.probe, "zero-shot-label": EvalBench.zeroShot,
]

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, let run = benchmarks[name] else {
    let names = benchmarks.keys.sorted().joined(separator: ", ")
    FileHandle.standardError.write(Data("usage: skybench NAME ARGS...  (NAME: \(names))\n".utf8))
    exit(2)
}
do {
    try run(Array(arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("skybench \(name): \(error)\n".utf8))
    exit(1)
}
