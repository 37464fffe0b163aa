import Foundation

/// Keeps every path that comes from data inside the dataset root.
///
/// Annotation files name images (`file_name` of COCO, `filename` of caption files, lines of a list file); a
/// name like `../../x/secret.jpg`, an absolute path, or a symbolic link leading out of the tree would otherwise
/// register a file outside the dataset, and exports would ship its bytes. ``contain(_:in:file:location:)`` is the
/// one check every reader uses: it resolves the path as the kernel will (each symbolic link followed, `..` taken
/// after the link), and refuses it when the result is not the root or below it. A path that does not exist is
/// resolved as far as it exists and lexically after that, so it cannot escape later either.
public struct DatasetRoot: Sendable {
    /// The root as the reader was given it.
    public let path: String
    /// The root with every symbolic link resolved, as absolute components.
    let resolved: [String]
    /// Resolved components of folders already seen, by their path as written.
    private var folders: [String: [String]] = [:]

    /// The most symbolic links followed for one path (Linux's limit too).
    static let maximumLinks = 40

    /// Resolves `path` once; every check compares against that.
    public init(_ path: String) {
        self.path = path
        var hops = 0
        self.resolved = Self.resolve(Self.absolute(path), hops: &hops)
            ?? Self.absolute(path).split(separator: "/").map(String.init)
    }

    /// `name` (absolute, or relative to `base`) as a path relative to the root, after checking that it stays
    /// inside. `file` and `location` name where the path was read (annotation file, line or record).
    public mutating func contain(_ name: String, in base: String, file: String,
                                 location: String?) throws(DatasetError) -> String {
        func refuse(_ why: String) -> DatasetError {
            DatasetError(.malformedRecord, file: file, location: location,
                         "image path '\(name)' \(why); paths taken from a dataset must stay inside its root")
        }
        guard !name.isEmpty, !name.utf8.contains(0) else { throw refuse("is empty or holds a NUL byte") }
        let full = name.hasPrefix("/") ? name : DatasetFiles.join(base, name)
        guard let components = resolveCached(full) else { throw refuse("has a loop of symbolic links") }
        guard components.count >= resolved.count, Array(components[..<resolved.count]) == resolved else {
            throw refuse("leads outside the dataset root (to /\(components.joined(separator: "/")))")
        }
        return components[resolved.count...].joined(separator: "/")
    }

    /// Checks a path relative to the root (found by listing folders, or already contained): throws when a
    /// symbolic link in it leads outside. `file` names it in the error.
    public mutating func check(relative: String, file: String? = nil) throws(DatasetError) {
        _ = try contain(relative, in: path, file: file ?? relative, location: nil)
    }

    /// Resolves the folder part once per folder, then the last component.
    private mutating func resolveCached(_ full: String) -> [String]? {
        let absolute = Self.absolute(full)
        guard let slash = absolute.lastIndex(of: "/") else { return nil }
        let folder = String(absolute[..<slash])
        let last = String(absolute[absolute.index(after: slash)...])
        let start: [String]
        if let known = folders[folder] {
            start = known
        } else {
            var hops = 0
            guard let found = Self.resolve(folder.isEmpty ? "/" : folder, hops: &hops) else { return nil }
            if folders.count > 10_000 { folders.removeAll() }
            folders[folder] = found
            start = found
        }
        var hops = 0
        return Self.walk(from: start, pending: [last], hops: &hops)
    }

    /// `path` made absolute against the working directory.
    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : DatasetFiles.join(FileManager.default.currentDirectoryPath, path)
    }

    /// The components of an absolute path with every symbolic link resolved; nil on a loop.
    static func resolve(_ absolutePath: String, hops: inout Int) -> [String]? {
        walk(from: [], pending: absolutePath.split(separator: "/").map(String.init), hops: &hops)
    }

    /// Appends `pending` components to the resolved `start`, following links as the kernel does.
    static func walk(from start: [String], pending names: [String], hops: inout Int) -> [String]? {
        var components = start
        var pending = Array(names.reversed())
        while let name = pending.popLast() {
            if name.isEmpty || name == "." { continue }
            if name == ".." {
                if !components.isEmpty { components.removeLast() }
                continue
            }
            let candidate = "/" + (components + [name]).joined(separator: "/")
            guard let target = linkTarget(candidate) else {
                components.append(name)
                continue
            }
            hops += 1
            guard hops <= maximumLinks else { return nil }
            if target.hasPrefix("/") { components = [] }
            pending += target.split(separator: "/").map(String.init).reversed()
        }
        return components
    }

    /// The target of a symbolic link; nil when `path` is not one (or does not exist).
    static func linkTarget(_ path: String) -> String? {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK else { return nil }
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path, &buffer, 4096)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
