import Foundation
import SkyStorage

/// Where exports write: checks of the target, stale temporaries of killed runs, and folders replaced whole in one
/// atomic step, so a reader (or a training job) sees the old export or the new one, never a mix.
public enum OutputFiles {
    /// Gets `path` ready for an export: refuses a target of the other kind (``check(_:isFolder:what:)``), creates
    /// the folders above it that do not exist yet, and removes stale temporaries of killed runs beside it.
    public static func prepare(_ path: String, isFolder: Bool, what: String) throws {
        try check(path, isFolder: isFolder, what: what)
        try createParent(of: path)
        removeStaleTemporaries(of: path)
    }

    /// Refuses a target that is of the other kind: a file export onto a folder, a folder export onto a file.
    public static func check(_ path: String, isFolder: Bool, what: String) throws {
        var directory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &directory) else { return }
        if isFolder && !directory.boolValue {
            throw CorpusError.invalidRequest("\(path) is an existing file; the \(what) export writes a folder of shards: "
                                             + "name a folder (new or one it wrote before)")
        }
        if !isFolder && directory.boolValue {
            throw CorpusError.invalidRequest("\(path) is an existing folder; the \(what) export writes one file: name a file")
        }
    }

    /// Creates the folder `path` goes in when it does not exist yet (an export or report into a new sub-folder).
    public static func createParent(of path: String) throws {
        let parent = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        var directory: ObjCBool = false
        if FileManager.default.fileExists(atPath: parent, isDirectory: &directory), directory.boolValue { return }
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw CorpusError.invalidRequest("\(path): cannot create the folder \(parent): \(error.localizedDescription)")
        }
    }

    /// Removes what killed runs left beside `path`: `NAME.partial-PID` files and `.NAME.partial-PID` /
    /// `.NAME.old-PID` folders whose process no longer runs. Temporaries of a running process are left alone.
    @discardableResult
    public static func removeStaleTemporaries(of path: String) -> [String] {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let parent = url.deletingLastPathComponent()
        let name = url.lastPathComponent
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent.path) else { return [] }
        var removed: [String] = []
        for entry in entries {
            var pidText: Substring? = nil
            for prefix in ["\(name).partial-", ".\(name).partial-", ".\(name).old-"] where entry.hasPrefix(prefix) {
                pidText = entry.dropFirst(prefix.count)
            }
            guard let pidText, let pid = Int32(pidText), pid > 0, !isRunning(pid) else { continue }
            let stale = parent.appendingPathComponent(entry).path
            if (try? FileManager.default.removeItem(atPath: stale)) != nil { removed.append(stale) }
        }
        return removed
    }

    /// A fresh staging folder beside `folder`, named `.NAME.partial-PID`.
    public static func stagingFolder(for folder: String) -> String {
        sibling(of: folder, tag: "partial")
    }

    /// Puts `staging` in the place of `folder` in one atomic step: a rename when `folder` does not exist, else the
    /// kernel's `renameat2(RENAME_EXCHANGE)` (Linux 3.15+) and the old contents removed after. Where the exchange is
    /// not available the old folder is renamed aside first (a kill between the two renames leaves the new export in
    /// its staging name and the old one aside; the next run removes both temporaries).
    public static func replaceFolder(_ folder: String, with staging: String) throws {
        var directory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &directory) else {
            guard rename(staging, folder) == 0 else { throw failure("cannot rename \(staging) to \(folder)") }
            return
        }
        guard directory.boolValue else { try check(folder, isFolder: true, what: "folder"); return }
        if let exchange = renameExchange, exchange(atCurrentDirectory, staging, atCurrentDirectory, folder, 2) == 0 {
            try? FileManager.default.removeItem(atPath: staging)  // now holds the old contents
            return
        }
        let aside = sibling(of: folder, tag: "old")
        guard rename(folder, aside) == 0 else { throw failure("cannot move \(folder) aside") }
        guard rename(staging, folder) == 0 else {
            _ = rename(aside, folder)
            throw failure("cannot rename \(staging) to \(folder)")
        }
        try? FileManager.default.removeItem(atPath: aside)
    }

    /// Hard-links (or copies) every entry of `folder` that `keep` accepts into `staging`, so that replacing the
    /// folder keeps files the export does not own.
    public static func carryOver(from folder: String, to staging: String, keep: (String) -> Bool) throws {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for entry in entries where keep(entry) {
            let source = URL(fileURLWithPath: folder).appendingPathComponent(entry).path
            let target = URL(fileURLWithPath: staging).appendingPathComponent(entry).path
            if link(source, target) != 0 { try FileManager.default.copyItem(atPath: source, toPath: target) }
        }
    }

    private static let atCurrentDirectory: Int32 = -100  // AT_FDCWD on Linux

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// glibc's `renameat2` (2.28+), looked up at run time: Swift's Glibc module does not export it.
    private static var renameExchange: RenameAt2? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
    }

    private static func sibling(of folder: String, tag: String) -> String {
        let url = URL(fileURLWithPath: folder).standardizedFileURL
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(tag)-\(getpid())").path
    }

    private static func isRunning(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    private static func failure(_ what: String) -> CorpusError {
        CorpusError.invalidRequest("\(what): \(String(cString: strerror(errno)))")
    }
}
