import Foundation

/// Where tests find the package and the shared real-data samples; no test spells these paths itself.
public enum TestPaths {
    /// The package root (the folder of Package.swift).
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        // Tests/SkyTestSupport/TestPaths.swift -> the package root.
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// `../shared/realdata` beside the package: genuine dataset samples (see its README); absent on some machines.
    public static let realData: URL = packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/realdata").standardizedFileURL

    /// Whether the real-data samples are present; acceptance tests skip cleanly without them.
    public static var hasRealData: Bool {
        FileManager.default.fileExists(atPath: realData.appendingPathComponent("README.md").path)
    }

    /// A file or folder under the real-data samples, e.g. `realData("dota/demo")`.
    public static func realData(_ relative: String) -> URL {
        realData.appendingPathComponent(relative)
    }

    /// The committed tiny CLIP checkpoints and their open_clip reference outputs (`Scripts/make_tiny_checkpoint.py`).
    public static let tinyCheckpointFolder: URL = packageRoot.appendingPathComponent("Tests/SkyCLIPTests/Fixtures/tiny")

    /// The tiny random checkpoint with CLIP's full 49,408-token vocabulary (safetensors), so real text tokenizes to
    /// its real BPE ids; `.pt` and `.json` siblings share its stem.
    public static let tinyCheckpoint: String = tinyCheckpointFolder.appendingPathComponent("tiny-clip-vocab49408.safetensors").path

    /// A file or folder of the package, e.g. `package("Examples/recipes/demo.yaml")`.
    public static func package(_ relative: String) -> URL {
        packageRoot.appendingPathComponent(relative)
    }
}
