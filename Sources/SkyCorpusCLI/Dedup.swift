import ArgumentParser
import Foundation
import SkyConcurrency
import SkyPipeline
import SkyStorage

/// `skycorpus dedup [--threshold 2] [--protect DATASET:SPLIT...] [--report PATH]`.
struct Dedup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dedup",
        abstract: "Hash images that lack a p-Hash, group near-duplicates and set duplicate_of.",
        discussion: "Hashes are imagehash phash (exact mode) and are stored, so a re-run only hashes new "
            + "images. Images of protected splits are kept; training images near them are reported as "
            + "leakage. An image that cannot be decoded is listed, marked unreadable in the corpus (exports and "
            + "embed leave it out) and skipped; later runs skip marked images and count them once, unless "
            + "--retry-unreadable hashes them again (a file that decodes now loses its mark). All marks are "
            + "written in one transaction.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Hamming distance within which two images are duplicates.")
    var threshold: Int = Deduplication.defaultThreshold

    @Option(parsing: .upToNextOption, help: "Splits to protect, as DATASET:SPLIT (for example RSICD:test).")
    var protect: [String] = []

    @Option(help: "Write the removed images (kind, kept, removed, distance) to this .csv or .json file.")
    var report: String?

    @Flag(help: "Hash images marked unreadable by an earlier run again (after replacing their files).")
    var retryUnreadable = false

    @Option(help: "What links two images: phash (Hamming --threshold), embedding (stored CLIP image embeddings at or above --min-cosine) or both.")
    var by: DedupCriterion = .phash

    @Option(help: "With --by embedding or both: the cosine at or above which two images are duplicates.")
    var minCosine: Float = EmbeddingCriterion.defaultMinCosine

    @Option(help: "With --by embedding or both: the model the images were embedded with, by its registered name (default: the only one).")
    var name: String?

    func validate() throws {
        let range = Deduplication.thresholdRange
        guard range.contains(threshold) else {
            throw ValidationError("--threshold \(threshold): give a Hamming distance from \(range.lowerBound) to \(range.upperBound)")
        }
        let cosines = EmbeddingCriterion.minCosineRange
        guard cosines.contains(minCosine) else {
            throw ValidationError("--min-cosine \(minCosine): give a cosine from \(cosines.lowerBound) to \(cosines.upperBound)")
        }
    }

    /// The embedding criterion for --by embedding or both: the model named, or the only one registered.
    func embeddingCriterion(_ corpus: Corpus) throws -> EmbeddingCriterion? {
        guard by != .phash else { return nil }
        let names = try corpus.encoderNames()
        guard let modelName = name ?? (names.count == 1 ? names[0] : nil) else {
            throw CommandError(names.isEmpty
                ? "the corpus has no embeddings; run 'skycorpus embed --model CHECKPOINT' first, or dedup --by phash"
                : "the corpus has embeddings of \(names.count) models (\(names.joined(separator: ", "))); pass --name")
        }
        guard let (id, _) = try corpus.encoder(named: modelName) else {
            throw CommandError("no embeddings for model '\(modelName)' in the corpus (it has: \(names.joined(separator: ", ")))")
        }
        return EmbeddingCriterion(model: id, minCosine: minCosine)
    }

    func run() throws {
        let corpus = try global.openCorpus()
        let protected = try protect.map { try ProtectedSplit(parsing: $0) }
        let progress = Locked(global.progress("hash"))
        let outcome = try Deduplication(threshold: threshold, protected: protected, retryUnreadable: retryUnreadable,
                                        criterion: by, embedding: embeddingCriterion(corpus))
            .run(in: corpus) { done, total in progress.withLock { $0.update(done, total) } }
        if let report { try DedupReport.write(outcome.removals, to: report) }
        let summary = outcome.summary
        for failure in summary.failed { Output.note("skipped \(failure.path): \(failure.reason)") }
        if let first = summary.skippedUnreadable.first {
            Output.note("dedup: skipped \(summary.skippedUnreadable.count) images marked unreadable earlier (first: "
                        + "\(first.path): \(first.reason)); --retry-unreadable hashes them again")
        }
        if global.json {
            try Output.json(summary)
            return
        }
        if by != .phash {
            print("dedup by \(by.rawValue): \(summary.images) images, \(summary.embedded) with embeddings; \(summary.pairs) pairs "
                  + "(cosine >= \(minCosine)\(by == .both ? " or within \(threshold) bits" : "")), \(summary.groups) groups, "
                  + "\(summary.duplicates) marked duplicate (\(summary.leaked) leaked into protected splits)"
                  + (report.map { "; report: \($0)" } ?? ""))
            return
        }
        print("dedup: \(summary.images) images, \(summary.hashed) hashed now, \(summary.alreadyHashed) already hashed, "
               + "\(summary.failed.count) could not be decoded, \(summary.skippedUnreadable.count) marked unreadable earlier; \(summary.pairs) pairs within \(threshold), "
              + "\(summary.groups) groups, \(summary.duplicates) marked duplicate (\(summary.leaked) leaked into "
              + "protected splits)" + (report.map { "; report: \($0)" } ?? ""))
    }
}
