import ArgumentParser
import Foundation
import SkyHashing
import SkyPipeline

/// `skycorpus hash FILE|FOLDER... [--kind phash|dhash|ahash|phash-imagededup] [--fast]`: prints perceptual hashes.
struct Hash: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Print perceptual hashes of image files, as imagehash prints them (16 hex digits).",
        discussion: "Exact mode equals imagehash 4.3.2 bit for bit. --fast decodes JPEGs at 1/2-1/8 scale "
            + "(much faster, hashes close but not always equal). A folder stands for every PNG, JPEG, TIFF and "
            + "BMP file below it, in path order. Files are hashed on all cores (--workers). A file that cannot be "
            + "decoded is listed on stderr with its reason and skipped; the exit status is then 1.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "PNG, JPEG, TIFF or BMP files, or folders of them.")
    var files: [String]

    @Option(help: "phash, dhash, ahash or phash-imagededup.")
    var kind: HashKind = .phash

    @Flag(help: "Decode JPEGs at reduced scale through DCT scaling.")
    var fast = false

    @Option(help: "Threads hashing files at once (default: all cores).")
    var workers: Int = ProcessorCount.online

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers \(workers): give at least 1") }
    }

    /// The files to hash: each argument as given, a folder replaced by the image files below it.
    func expandedFiles() throws -> [String] {
        try files.flatMap { path -> [String] in
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return [path] }
            let folder = URL(fileURLWithPath: path)
            return try ImageRegistration.imageFiles(under: folder).map { folder.appendingPathComponent($0).path }
        }
    }

    struct Line: Encodable {
        var file: String
        var hash: String?
        var error: String?
    }

    func run() throws {
        let hasher = PerceptualHasher(kind: kind, mode: fast ? .fast : .exact)
        let files = try expandedFiles()
        let results = hasher.hash(files: files, workers: workers)
        var failures = 0
        var lines: [Line] = []
        for (file, result) in zip(files, results) {
            switch result {
            case .success(let hash):
                lines.append(Line(file: file, hash: hash.description))
                if !global.json { print("\(hash)  \(file)") }
            case .failure(let error):
                failures += 1
                lines.append(Line(file: file, error: "\(error)"))
                if !global.json { Output.note("skipped \(error)") }
            }
        }
        if global.json { try Output.json(lines) }
        if failures > 0 {
            if !global.quiet { Output.note("hash: \(files.count - failures) hashed, \(failures) could not be decoded") }
            throw ExitCode(1)
        }
    }
}
