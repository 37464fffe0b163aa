import Foundation
import SkyImaging

/// Why a file could not be digested.
public struct FileDigestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// What went wrong.
    public var reason: String

    public var description: String { "\(path): \(reason)" }
}

/// SHA-256 of large files (checkpoints), remembered with the file's size and modification time so that a file
/// that did not change is not read again: a 600 MB checkpoint costs seconds to hash, and `search` or `serve`
/// check the checkpoint against the one the corpus was embedded with on every start.
public enum FileDigest {
    /// The cache file: `$SKYCORPUS_CACHE_DIR/file-digests.json`, else `$XDG_CACHE_HOME/skycorpus/...`, else
    /// `~/.cache/skycorpus/...`.
    public static var defaultCacheFile: URL {
        let environment = ProcessInfo.processInfo.environment
        let folder: URL
        if let dir = environment["SKYCORPUS_CACHE_DIR"], !dir.isEmpty {
            folder = URL(fileURLWithPath: dir)
        } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            folder = URL(fileURLWithPath: xdg).appendingPathComponent("skycorpus")
        } else {
            folder = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/skycorpus")
        }
        return folder.appendingPathComponent("file-digests.json")
    }

    /// Entries kept in the cache (the most recently used).
    public static let cacheCapacity = 256

    struct Entry: Codable {
        var size: Int64
        var modified: Double
        var sha256: String
        var used: Double
    }

    /// The lowercase hex SHA-256 of the file at `path`. With a cache file, a file whose size and modification time
    /// equal the remembered ones is not read; otherwise it is hashed and remembered. The cache is a convenience:
    /// when it cannot be read or written the file is simply hashed.
    public static func sha256(ofFile path: String, cache: URL? = FileDigest.defaultCacheFile) throws(FileDigestError) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: absolute)
        } catch {
            throw FileDigestError(path: path, reason: "cannot read the file's attributes (\(error.localizedDescription))")
        }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
        var entries: [String: Entry] = [:]
        if let cache, let data = try? Data(contentsOf: cache) {
            entries = (try? JSONDecoder().decode([String: Entry].self, from: data)) ?? [:]
        }
        if let known = entries[absolute], known.size == size, known.modified == modified {
            return known.sha256
        }
        let digest = try hashFile(path)
        if let cache {
            entries[absolute] = Entry(size: size, modified: modified, sha256: digest, used: Date().timeIntervalSince1970)
            if entries.count > cacheCapacity {
                for key in entries.sorted(by: { $0.value.used < $1.value.used }).prefix(entries.count - cacheCapacity).map(\.key) {
                    entries[key] = nil
                }
            }
            save(entries, to: cache)
        }
        return digest
    }

    /// Reads and hashes the whole file.
    public static func hashFile(_ path: String) throws(FileDigestError) -> String {
        do {
            return try hashFile(OpenFile(path))
        } catch .unreadable(_, let reason) {
            throw FileDigestError(path: path, reason: reason)
        } catch {
            throw FileDigestError(path: path, reason: "\(error)")
        }
    }

    /// Hashes a file already open, 4 MB at a time, so a file of gigabytes costs a chunk of memory.
    public static func hashFile(_ file: borrowing OpenFile) throws(ImageError) -> String {
        var hasher = SHA256()
        try file.forEachChunk { hasher.update($0) }
        return hasher.finalizeHex()
    }

    /// Writes the cache beside itself and renames it into place, so concurrent processes never see half a file.
    private static func save(_ entries: [String: Entry], to cache: URL) {
        let folder = cache.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(cache.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(entries).write(to: temporary)
            if rename(temporary.path, cache.path) != 0 { try? FileManager.default.removeItem(at: temporary) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
        }
    }
}
