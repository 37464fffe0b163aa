import Foundation

/// The files bundled with SkyCLIP (BPE vocabulary and its licence, text-cleaning tables).
enum CLIPResources {
    /// The URL of a bundled file. The folder is copied whole as `Resources/`; Foundation on Linux then reports
    /// that folder itself as the bundle's `resourceURL`, macOS reports its parent, so both places are tried.
    static func url(_ name: String) -> URL {
        let candidates = [
            Bundle.module.bundleURL.appendingPathComponent("Resources").appendingPathComponent(name),
            (Bundle.module.resourceURL ?? Bundle.module.bundleURL).appendingPathComponent("Resources").appendingPathComponent(name),
            (Bundle.module.resourceURL ?? Bundle.module.bundleURL).appendingPathComponent(name),
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) } ?? candidates[0]
    }
}
