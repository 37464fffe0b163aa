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

    func validate() throws {
        let range = Deduplication.thresholdRange
        guard range.contains(threshold) else {
            throw ValidationError("--threshold \(threshold): give a Hamming distance from \(range.lowerBound) to \(range.upperBound)")
        }
    }

    func run() throws {
        let corpus = try global.openCorpus()
        let protected = try protect.map { try ProtectedSplit(parsing: $0) }
        let progress = Locked(global.progress("hash"))
        let outcome = try Deduplication(threshold: threshold, protected: protected, retryUnreadable: retryUnreadable)
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
        print("dedup: \(summary.images) images, \(summary.hashed) hashed now, \(summary.alreadyHashed) already hashed, "
               + "\(summary.failed.count) could not be decoded, \(summary.skippedUnreadable.count) marked unreadable earlier; \(summary.pairs) pairs within \(threshold), "
              + "\(summary.groups) groups, \(summary.duplicates) marked duplicate (\(summary.leaked) leaked into "
              + "protected splits)" + (report.map { "; report: \($0)" } ?? ""))
    }
}
