import Foundation
import SkyHashing
import SkyImaging
import SkyStorage

/// Two images a dedup criterion links, by index into the plan's images: within the Hamming threshold of their
/// p-Hashes, or above the cosine threshold of their embeddings (or both).
struct DedupPair {
    var first: Int
    var second: Int
    var hamming: Int?
    var cosine: Float?

    /// Lower is closer, comparable across criteria: Hamming distance / 64, or (1 - cosine) / 2.
    var closeness: Double {
        min(hamming.map { Double($0) / 64 } ?? 2, cosine.map { Double(1 - $0) / 2 } ?? 2)
    }
}

/// Which images to keep and which to mark, computed from the pairs alone (no database access).
struct DedupPlan {
    var pairCount = 0
    var groupCount = 0
    /// Every marked image with its keeper, ordered by keeper then removed image (by ranking).
    var removals: [Deduplication.Removal] = []

    /// `unlinked` holds image-id pairs that are never duplicates of each other: the two times of a change pair,
    /// which are near-identical wherever nothing changed. `measure(a, b)` gives the Hamming distance and cosine of
    /// two images for the report (nil where a hash or an embedding is missing).
    init(images: [DedupImage], pairs candidates: [DedupPair], protected: Set<ProtectedSplit>, unlinked: Set<[Int64]> = [],
         measure: (Int, Int) -> (hamming: Int?, cosine: Float?)) {
        let isProtected = images.map { image in
            image.split.map { protected.contains(ProtectedSplit(dataset: image.dataset, split: $0)) } ?? false
        }
        let pairs = candidates.filter { pair in
            !unlinked.contains([images[pair.first].id, images[pair.second].id].sorted())
        }
        pairCount = pairs.count
        // Ranking: protected first, higher dataset priority, smaller path, dataset name, id.
        let keepsBefore: (Int, Int) -> Bool = { a, b in
            let left = images[a], right = images[b]
            if isProtected[a] != isProtected[b] { return isProtected[a] }
            if left.priority != right.priority { return left.priority > right.priority }
            if left.path != right.path { return left.path < right.path }
            if left.dataset != right.dataset { return left.dataset < right.dataset }
            return left.id < right.id
        }
        // The closest protected image of each unprotected image that is near one (leakage).
        var nearestProtected: [Int: (index: Int, closeness: Double)] = [:]
        for pair in pairs where isProtected[pair.first] != isProtected[pair.second] {
            let (kept, removed) = isProtected[pair.first] ? (pair.first, pair.second) : (pair.second, pair.first)
            if let known = nearestProtected[removed],
               (known.closeness, images[known.index].id) <= (pair.closeness, images[kept].id) { continue }
            nearestProtected[removed] = (kept, pair.closeness)
        }
        let links = pairs.map { NearPair(first: $0.first, second: $0.second, distance: $0.hamming ?? 0) }
        let groups = DuplicateGroups.groups(count: images.count, pairs: links, keepsBefore: keepsBefore)
        groupCount = groups.count
        for group in groups {
            let keeper = group[0]
            // A change pair's two times stay together even when a third image links them into one group.
            for member in group.dropFirst()
            where !isProtected[member] && !unlinked.contains([images[keeper].id, images[member].id].sorted()) {
                // A leaked image is reported against the protected image it is near; any other against the keeper.
                let (kept, kind) = nearestProtected[member].map { ($0.index, DuplicateKind.leakage) } ?? (keeper, DuplicateKind.duplicate)
                let (hamming, cosine) = measure(kept, member)
                removals.append(.init(kind: kind, keptId: images[kept].id, kept: images[kept].label,
                                      removedId: images[member].id, removed: images[member].label, distance: hamming,
                                      cosine: cosine))
            }
        }
    }
}

/// Writes the removals as CSV or JSON (by the file's extension), through a temporary file and a rename.
public enum DedupReport {
    /// Writes `removals` to `path`: `.json` gives a JSON array, anything else CSV with a header line.
    public static func write(_ removals: [Deduplication.Removal], to path: String) throws {
        let bytes: [UInt8]
        if path.lowercased().hasSuffix(".json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            bytes = Array(try encoder.encode(removals))
        } else {
            // The cosine column appears when embeddings took part (dedup --by embedding or both).
            let cosines = removals.contains { $0.cosine != nil }
            var text = "kind,kept_id,kept,removed_id,removed,distance" + (cosines ? ",cosine\n" : "\n")
            for removal in removals {
                var fields = [removal.kind.rawValue, String(removal.keptId), DelimitedText.field(removal.kept, separator: ","),
                              String(removal.removedId), DelimitedText.field(removal.removed, separator: ","),
                              removal.distance.map(String.init) ?? ""]
                if cosines { fields.append(removal.cosine.map { String(format: "%.6f", $0) } ?? "") }
                text += fields.joined(separator: ",") + "\n"
            }
            bytes = Array(text.utf8)
        }
        try OutputFiles.prepare(path, isFolder: false, what: "dedup report")
        do {
            try FileBytes.write(bytes, to: path)
        } catch {
            throw CorpusError.invalidRequest("\(path): cannot write the report: \(error)")
        }
    }
}
