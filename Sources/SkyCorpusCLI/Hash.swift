import ArgumentParser
import Foundation
import SkyHashing

/// `skycorpus hash FILE... [--kind phash|dhash|ahash|phash-imagededup] [--fast]`: prints perceptual hashes.
struct Hash: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Print perceptual hashes of image files, as imagehash prints them (16 hex digits).",
        discussion: "Exact mode equals imagehash 4.3.2 bit for bit. --fast decodes JPEGs at 1/2-1/8 scale "
            + "(much faster, hashes close but not always equal). A file that cannot be decoded is listed "
            + "on stderr with its reason and skipped; the exit status is then 1.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "PNG, JPEG, TIFF or BMP files.")
    var files: [String]

    @Option(help: "phash, dhash, ahash or phash-imagededup.")
    var kind: HashKind = .phash

    @Flag(help: "Decode JPEGs at reduced scale through DCT scaling.")
    var fast = false

    struct Line: Encodable {
        var file: String
        var hash: String?
        var error: String?
    }

    func run() throws {
        let hasher = PerceptualHasher(kind: kind, mode: fast ? .fast : .exact)
        let results = hasher.hash(files: files)
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
