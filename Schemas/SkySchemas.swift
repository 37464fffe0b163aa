import Foundation

/// Access to the data files under `Schemas/`, shipped as package resources.
public enum SkySchemas {
    /// The folder that holds the schema files.
    public static var root: URL { Bundle.module.resourceURL ?? Bundle.module.bundleURL }

    /// The URL of a file below `Schemas/`, such as `"corpus.sql"` or `"palettes/isaid.json"`.
    public static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    /// The contents of a file below `Schemas/`.
    public static func data(_ relativePath: String) throws -> Data {
        let url = url(relativePath)
        do {
            return try Data(contentsOf: url)
        } catch {
            throw SchemaFileError(path: relativePath, underlying: "\(error)")
        }
    }

    /// The contents of a UTF-8 text file below `Schemas/`.
    public static func text(_ relativePath: String) throws -> String {
        let bytes = try data(relativePath)
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw SchemaFileError(path: relativePath, underlying: "not UTF-8 text")
        }
        return text
    }

    /// The names of the files in a folder below `Schemas/`, sorted.
    public static func files(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url(folder).path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }
}

/// A schema data file could not be read: the package resources are missing or damaged.
public struct SchemaFileError: Error, CustomStringConvertible {
    /// The path below `Schemas/`.
    public let path: String
    /// What went wrong.
    public let underlying: String
    public var description: String {
        "cannot read schema file Schemas/\(path): \(underlying); reinstall SkyCorpus or rebuild the package"
    }
}
