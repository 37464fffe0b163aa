import Foundation
import SkyImaging
import SkyRecipe
@testable import SkyDatasets
@testable import SkyCLIP

/// One libFuzzer target: a decoder or reader fed the fuzzer's bytes. A target returns normally whatever the
/// bytes are (a typed error is the expected outcome for most of them); anything else (a trap, an address
/// sanitizer report, a leak, a timeout) is a finding.
enum FuzzTarget: String, CaseIterable, Sendable {
    case png, jpeg, tiff, bmp
    case xml, voc, dota, coco, yolo, visdrone, captions, change
    case pickle, zip, safetensors, checkpoint
    case recipe

    /// Runs the target on one input.
    func run(_ bytes: [UInt8]) {
        switch self {
        case .png, .jpeg, .tiff, .bmp: Self.decode(bytes)
        case .xml: _ = try? XMLElementNode.parse(bytes: bytes, file: "fuzz.xml")
        case .voc:
            for skip in [false, true] {
                var collector = IssueCollector(options: ReadOptions(skipInvalid: skip))
                _ = try? VOCReader.parse(Data(bytes), file: "fuzz.xml", collector: &collector)
            }
        case .dota:
            for skip in [false, true] {
                var collector = IssueCollector(options: ReadOptions(skipInvalid: skip))
                _ = try? DOTAReader.parse(bytes: bytes, file: "fuzz.txt", collector: &collector)
            }
        case .recipe:
            // The recipe parser on any text: a RecipeError (file, line, key) is the expected outcome.
            _ = try? Recipe.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml", folder: "/",
                                  checkFiles: false)
        case .coco: Self.coco(bytes)
        case .yolo: Self.yolo(bytes)
        case .visdrone: Self.textLabels(bytes)
        case .captions: Self.captions(bytes)
        case .change: Self.change(bytes)
        case .pickle:
            var unpickler = Unpickler(path: "fuzz.pkl", bytes: bytes)
            _ = try? unpickler.load()
        case .zip:
            guard let archive = try? ZipArchive(path: "fuzz.zip", data: Data(bytes)) else { return }
            for name in archive.names { _ = try? archive.bytes(of: name) }
        case .safetensors:
            guard let path = FuzzFiles.write(bytes, as: "fuzz.safetensors"),
                  let region = try? MappedRegion(path: path) else { return }
            _ = try? SafeTensorsReader.read(path: path, region: region)
        case .checkpoint:
            guard let path = FuzzFiles.write(bytes, as: "fuzz.pt"), let checkpoint = try? Checkpoint(path: path) else { return }
            for name in checkpoint.tensors.keys.sorted().prefix(8) {
                guard let shape = checkpoint.shape(name), shape.reduce(1, *) <= 1 << 16 else { continue }
                _ = try? checkpoint.floats(name, shape: shape)
            }
        }
    }

    /// Every image decoder entry point, with a pixel limit that keeps allocations small.
    static func decode(_ bytes: [UInt8]) {
        let decoder = ImageDecoder(pixelLimit: 1 << 22)
        _ = try? decoder.header(of: bytes, name: "fuzz")
        // add-images proves a file whole a band at a time; its verdict must be the whole decode's, damaged input
        // included (a disagreement stops the run as a finding), from bytes and, for a TIFF, from the file.
        let verified = (try? decoder.verify(bytes, name: "fuzz", minimumPixels: 0)) != nil
        let decodes = (try? decoder.decodeLuminance(bytes, name: "fuzz")) != nil
        precondition(verified == decodes, "verify says \(verified), the whole decode \(decodes)")
        let tiffFile = ImageFormat.sniff(bytes) == .tiff ? FuzzFiles.write(bytes, as: "fuzz.tif") : nil
        if let tiffFile, (try? decoder.verifyTIFF(file: tiffFile, minimumPixels: 0)) != nil {
            precondition(decodes, "verifyTIFF(file:) passed a file the whole decode refuses")
        }
        guard (try? decoder.decode(bytes, name: "fuzz")) != nil else { return }
        _ = try? decoder.decodeIndexed(bytes, name: "fuzz")
        if bytes.starts(with: [0xFF, 0xD8]) { _ = try? decoder.decode(bytes, name: "fuzz", jpegScale: .eighth) }
        // The band paths that hash large images without decoding them whole (each nil for other formats).
        _ = try? decoder.resizedLuminance(bytes, name: "fuzz", width: 32, height: 32, filter: .lanczos, minimumPixels: 0)
        _ = try? decoder.resizedJPEGLuminance(bytes, name: "fuzz", width: 32, height: 32, filter: .lanczos)
        _ = try? decoder.resizedTIFFLuminance(bytes, name: "fuzz", width: 32, height: 32, filter: .lanczos)
        // Hashing reads a TIFF from its file a strip at a time: the same decode over libtiff reading the file.
        if let tiffFile {
            _ = try? decoder.resizedTIFFLuminance(file: tiffFile, width: 32, height: 32, filter: .lanczos)
        }
    }

    /// The whole COCO reader on one JSON file (images looked up beside it, none present).
    static func coco(_ bytes: [UInt8]) {
        guard let path = FuzzFiles.write(bytes, as: "instances_fuzz.json") else { return }
        for skip in [false, true] {
            var collector = IssueCollector(options: ReadOptions(skipInvalid: skip))
            _ = try? COCOReader.read(json: path, imageRoot: FuzzFiles.directory, root: FuzzFiles.directory,
                                     split: nil, collector: &collector)
        }
    }

    static func lines(_ bytes: [UInt8]) -> [Substring] {
        String(decoding: bytes, as: UTF8.self).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    }

    /// YOLO label lines and data.yaml class names.
    static func yolo(_ bytes: [UInt8]) {
        let lines = lines(bytes)
        for (index, line) in lines.enumerated() { _ = try? YOLOReader.parseLine(line, number: index + 1, file: "fuzz.txt") }
        _ = try? YOLOReader.yamlNames(lines, file: "data.yaml")
    }

    /// VisDrone, NWPU VHR-10 and CARPK label lines.
    static func textLabels(_ bytes: [UInt8]) {
        for (index, line) in lines(bytes).enumerated() {
            _ = try? VisDroneReader.parseLine(line, number: index + 1, file: "fuzz.txt")
            _ = try? NWPUReader.parseLine(line, number: index + 1, file: "fuzz.txt")
            _ = try? CARPKReader.parseLine(line, number: index + 1, file: "fuzz.txt")
        }
    }

    /// Karpathy / COCO-caption JSON, JSON lines, and a caption file with its parallel list of names.
    static func captions(_ bytes: [UInt8]) {
        var root = DatasetRoot(FuzzFiles.directory)
        var accumulator = CaptionReader.Accumulator()
        for name in ["fuzz.json", "fuzz.jsonl"] {
            guard let path = FuzzFiles.write(bytes, as: name) else { return }
            var collector = IssueCollector(options: ReadOptions(skipInvalid: true))
            _ = try? CaptionReader.readJSON(path, file: name, root: &root, into: &accumulator, collector: &collector)
        }
        guard let names = FuzzFiles.write(bytes, as: "fuzz_filename.txt"),
              let captions = FuzzFiles.write(Array(bytes.reversed()), as: "fuzz_caps.txt") else { return }
        for skip in [false, true] {
            var collector = IssueCollector(options: ReadOptions(skipInvalid: skip))
            _ = try? CaptionReader.readLines(captions: captions, names: names, root: FuzzFiles.directory, confined: &root,
                                             into: &accumulator, collector: &collector)
        }
    }

    /// Change-pair split lists, and the header parsing that sizes change labels (TIFF, BMP, PNG, JPEG).
    static func change(_ bytes: [UInt8]) {
        _ = FuzzFiles.write(bytes, as: "list/train.txt")
        _ = FuzzFiles.write(bytes, as: "test.txt")
        _ = ChangeReader.splitLists(root: FuzzFiles.directory)
        _ = ImageSize.tiffSize(bytes)
        _ = ImageSize.bmpSize(bytes)
        guard let path = FuzzFiles.write(bytes, as: "label.png") else { return }
        _ = try? ImageSize.read(path, name: "label.png")
    }
}

/// The scratch folder for targets whose reader takes a path (one per process, in /dev/shm when present).
enum FuzzFiles {
    static let directory: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = base + "/skyfuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path + "/list", withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: FuzzFiles.directory) }
        return path
    }()

    /// Writes `bytes` to `name` in the scratch folder; its path, or nil when writing failed.
    static func write(_ bytes: [UInt8], as name: String) -> String? {
        let path = directory + "/" + name
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            guard written > 0 else { return nil }
            offset += written
        }
        return path
    }
}
