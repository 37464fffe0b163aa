import Foundation

/// A temporary folder removed when the value goes away: every test that writes files writes them here.
public final class TemporaryFolder: Sendable {
    /// The folder.
    public let url: URL

    /// A new empty folder under the system's temporary directory; `label` names it for debugging.
    public init(_ label: String = "corpus") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("skycorpus-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// The path of `name` inside the folder.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `text` to `name` (folders created), returning its path.
    @discardableResult
    public func write(_ text: String, to name: String) throws -> String {
        try write(Data(text.utf8), to: name)
    }

    /// Writes `data` to `name` (folders created), returning its path.
    @discardableResult
    public func write(_ data: Data, to name: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
        return file.path
    }
}
