import Foundation

/// How the paths the corpus stores become files.
public enum CorpusPaths {
    /// The file a stored path names: a relative path lives under its dataset's root; an absolute one (a mask kept
    /// outside the root) stands as it is, and so does any path of a dataset without a root.
    public static func file(_ path: String, root: String?) -> String {
        guard let root, !root.isEmpty, !path.hasPrefix("/") else { return path }
        return URL(fileURLWithPath: root).appendingPathComponent(path).path
    }
}
