import Foundation
import SkyConcurrency
import SkyStorage
import SkyHashing
import SkyImaging

/// Registers a folder of images in a dataset: relative path, size from the header, SHA-256 of the bytes; every
/// file is decoded once, so a truncated file is refused (or skipped) here, not shipped by an export later.
///
/// One transaction: a bad file (without `skipInvalid`) or a failure midway leaves the corpus as it was.
/// Re-running on the same folder adds nothing.
public struct ImageRegistration: Sendable {
    /// File extensions taken as images (lower case). TIFF: UCM-captions and Sydney-captions ship it; BMP: HRSC2016.
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "tif", "tiff", "bmp"]

    /// What a run did.
    public struct Summary: Codable, Sendable, Equatable {
        public var dataset: String
        public var found: Int
        public var added: Int
        public var alreadyPresent: Int
        public var skipped: [SkippedFile]
    }

    /// A file that was not registered, and why.
    public struct SkippedFile: Codable, Sendable, Equatable {
        public var path: String
        public var reason: String

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    public var dataset: String
    public var folder: String
    public var split: String?
    public var skipInvalid: Bool
    public var decoder: ImageDecoder

    public init(dataset: String, folder: String, split: String? = nil, skipInvalid: Bool = false,
                decoder: ImageDecoder = ImageDecoder()) {
        self.dataset = dataset
        self.folder = folder
        self.split = split
        self.skipInvalid = skipInvalid
        self.decoder = decoder
    }

    /// Runs the registration. `progress(done, total)` is called inside the transaction after each file;
    /// throwing from it (cancellation) rolls the whole step back.
    public func run(in corpus: Corpus, progress: (Int, Int) throws -> Void = { _, _ in }) throws -> Summary {
        try DatasetRecord.checkName(dataset)
        let folderURL = URL(fileURLWithPath: folder).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folderURL.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CorpusError.invalidRequest("\(folder): not a folder of images")
        }
        let files = try Self.imageFiles(under: folderURL)
        let facts = Self.inspect(files.map { folderURL.appendingPathComponent($0).path }, decoder: decoder)
        return try corpus.write { transaction in
            var record = try transaction.dataset(named: dataset) ?? DatasetRecord(name: dataset, root: folderURL.path)
            if record.id == nil { record.id = try transaction.insertDataset(record) }
            let datasetID = record.id ?? 0
            // The deepest root of the dataset that holds the folder, else the folder becomes a new root.
            let holding = try transaction.roots(dataset: datasetID)
                .filter { !$0.path.isEmpty && Self.relativePrefix(of: folderURL, under: URL(fileURLWithPath: $0.path)) != nil }
                .max { $0.path.count < $1.path.count }
            let rootID = try holding?.id ?? transaction.root(dataset: datasetID, path: folderURL.path)
            let rootURL = URL(fileURLWithPath: holding?.path ?? folderURL.path)
            let prefix = Self.relativePrefix(of: folderURL, under: rootURL) ?? ""
            let otherRoots = try DatasetRoots(transaction: transaction, dataset: datasetID, current: rootID)
            var summary = Summary(dataset: dataset, found: files.count, added: 0, alreadyPresent: 0, skipped: [])
            for (index, (file, fact)) in zip(files, facts).enumerated() {
                switch fact {
                case .failure(let error):
                    guard skipInvalid else {
                        throw PipelineError.image(error)
                    }
                    summary.skipped.append(SkippedFile(path: prefix + file, reason: "\(error)"))
                case .success(let facts):
                    if try otherRoots.existingImage(file: folderURL.appendingPathComponent(file).path) != nil {
                        summary.alreadyPresent += 1
                    } else if try transaction.registerImage(dataset: datasetID, root: rootID, path: prefix + file,
                                                            split: split, width: facts.width, height: facts.height,
                                                            sha256: facts.sha256) {
                        summary.added += 1
                    } else {
                        summary.alreadyPresent += 1
                    }
                }
                try progress(index + 1, files.count)
            }
            return summary
        }
    }

    /// Image files below a folder, relative to it, '/' separated, sorted.
    public static func imageFiles(under folder: URL) throws -> [String] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw CorpusError.invalidRequest("\(folder.path): cannot list the folder")
        }
        let base = folder.standardizedFileURL.path
        var files: [String] = []
        for case let url as URL in walker where imageExtensions.contains(url.pathExtension.lowercased()) {
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(base + "/") else { continue }
            files.append(String(path.dropFirst(base.count + 1)))
        }
        return files.sorted()
    }

    struct FileFacts: Sendable {
        var width: Int
        var height: Int
        var sha256: String
    }

    /// Header and content hash of each file, each fully decoded once, on all cores.
    static func inspect(_ paths: [String], decoder: ImageDecoder) -> [Result<FileFacts, ImageError>] {
        let results = ResultSlots<Result<FileFacts, ImageError>>(count: paths.count)
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            let path = paths[index]
            do {
                results.set(index, .success(try facts(ofFile: path, decoder: decoder)))
            } catch let error as ImageError {
                results.set(index, .failure(error))
            } catch {
                results.set(index, .failure(.unreadable(path: path, reason: "\(error)")))
            }
        }
        return results.values()
    }

    /// One file's header and SHA-256, its pixels decoded once: a file whose header is intact but whose pixels are cut
    /// short (a truncated download) must not become a corpus image that exports ship. Large PNGs, JPEGs and TIFFs are
    /// decoded a band at a time (`ImageDecoder.verify`), and a large TIFF is read from the file as libtiff asks for it
    /// and hashed in chunks, so memory per core stays at a band, whatever the image's size.
    static func facts(ofFile path: String, decoder: ImageDecoder) throws(ImageError) -> FileFacts {
        // Opened once: the kind, then the strips or the bytes, are read through the same value.
        let file = try OpenFile(path)
        if ImageFormat.sniff(try file.read(limit: 8)) == .tiff, let header = try decoder.verifyTIFF(file) {
            return FileFacts(width: header.width, height: header.height, sha256: try FileDigest.hashFile(file))
        }
        let bytes = try file.read()
        let header = try decoder.verify(bytes, name: path)
        return FileFacts(width: header.width, height: header.height, sha256: SHA256.hex(of: bytes))
    }

    /// The path of `folder` below `root`, with a trailing '/', "" for the root itself, nil when outside it.
    static func relativePrefix(of folder: URL, under root: URL) -> String? {
        let folderPath = folder.standardizedFileURL.path, rootPath = root.standardizedFileURL.path
        if folderPath == rootPath { return "" }
        guard folderPath.hasPrefix(rootPath + "/") else { return nil }
        return String(folderPath.dropFirst(rootPath.count + 1)) + "/"
    }
}
