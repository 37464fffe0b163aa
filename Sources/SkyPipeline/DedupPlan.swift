import Foundation
import SkyHashing
import SkyImaging
import SkyStorage

/// Which images to keep and which to mark, computed from hashes alone (no database access).
struct DedupPlan {
    var pairCount = 0
    var groupCount = 0
    /// Every marked image with its keeper, ordered by keeper then removed image (by ranking).
    var removals: [Deduplication.Removal] = []

    /// `unlinked` holds image-id pairs that are never duplicates of each other: the two times of a change pair,
    /// which are near-identical wherever nothing changed.
    init(images: [DedupImage], threshold: Int, protected: Set<ProtectedSplit>, unlinked: Set<[Int64]> = []) {
        let isProtected = images.map { image in
            image.split.map { protected.contains(ProtectedSplit(dataset: image.dataset, split: $0)) } ?? false
        }
        let bits = images.map { UInt64(bitPattern: $0.phash ?? 0) }
        let pairs = NearDuplicateIndex(bits: bits).pairs(within: threshold).filter { pair in
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
        var nearestProtected: [Int: (index: Int, distance: Int)] = [:]
        for pair in pairs where isProtected[pair.first] != isProtected[pair.second] {
            let (kept, removed) = isProtected[pair.first] ? (pair.first, pair.second) : (pair.second, pair.first)
            if let known = nearestProtected[removed],
               (known.distance, images[known.index].id) <= (pair.distance, images[kept].id) { continue }
            nearestProtected[removed] = (kept, pair.distance)
        }
        let groups = DuplicateGroups.groups(count: images.count, pairs: pairs, keepsBefore: keepsBefore)
        groupCount = groups.count
        for group in groups {
            let keeper = group[0]
            // A change pair's two times stay together even when a third image links them into one group.
            for member in group.dropFirst()
            where !isProtected[member] && !unlinked.contains([images[keeper].id, images[member].id].sorted()) {
                // A leaked image is reported against the protected image it is near; any other against the keeper.
                let (kept, kind) = nearestProtected[member].map { ($0.index, DuplicateKind.leakage) } ?? (keeper, DuplicateKind.duplicate)
                let distance = (bits[kept] ^ bits[member]).nonzeroBitCount
                removals.append(.init(kind: kind, keptId: images[kept].id, kept: images[kept].label,
                                      removedId: images[member].id, removed: images[member].label, distance: distance))
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
            var text = "kind,kept_id,kept,removed_id,removed,distance\n"
            for removal in removals {
                text += [removal.kind.rawValue, String(removal.keptId), DelimitedText.field(removal.kept, separator: ","), String(removal.removedId),
                         DelimitedText.field(removal.removed, separator: ","), String(removal.distance)].joined(separator: ",") + "\n"
            }
            bytes = Array(text.utf8)
        }
        do {
            try FileBytes.write(bytes, to: path)
        } catch {
            throw CorpusError.invalidRequest("\(path): cannot write the report: \(error)")
        }
    }
}
