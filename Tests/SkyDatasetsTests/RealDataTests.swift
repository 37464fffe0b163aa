import Foundation
import SkyImaging
import Testing
@testable import SkyDatasets

/// Acceptance tests on the genuine samples in `../shared/realdata`, each against a short independent parse.
@Suite("Real dataset samples", .enabled(if: RealData.available, "needs ../shared/realdata"))
struct RealDataTests {
    /// Objects per class of DOTA label files whose image exists, counted without SkyDatasets: lines of 9 or 10
    /// fields, boxes with no width or height left out.
    func independentDOTACounts(_ folder: String) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        let labels = folder + "/labelTxt"
        for name in try FileManager.default.contentsOfDirectory(atPath: labels) {
            let stem = String(name.dropLast(4))
            guard FileManager.default.fileExists(atPath: folder + "/images/\(stem).png") else { continue }
            let text = try String(contentsOfFile: labels + "/" + name, encoding: .utf8)
            for line in text.components(separatedBy: .newlines) {
                let fields = line.split(separator: " ")
                guard fields.count >= 9, let _ = Double(fields[0]) else { continue }
                let xs = [0, 2, 4, 6].compactMap { Double(fields[$0]) }, ys = [1, 3, 5, 7].compactMap { Double(fields[$0]) }
                guard let minX = xs.min(), let maxX = xs.max(), let minY = ys.min(), let maxY = ys.max(),
                      maxX > minX, maxY > minY else { continue }
                counts[String(fields[8]), default: 0] += 1
            }
        }
        return counts
    }

    @Test("DOTA example: headers read, labels without their image listed, counts per class match")
    func dotaExample() throws {
        let root = RealData.path("dota/example")
        #expect(DatasetFormat.detect(root: root)?.format == .dota)
        let set = try DOTAReader.read(root: root)
        #expect(set.images.map(\.relativePath) == ["images/P0706.png", "images/P1888.png"])
        #expect(set.report.annotationsWithoutImage == ["labelTxt/P0770.txt", "labelTxt/P1088.txt", "labelTxt/P1234.txt",
                                                       "labelTxt/P2598.txt", "labelTxt/P2709.txt"])
        #expect(set.countsByClass == (try independentDOTACounts(root)))
        #expect(set.objectCount > 0)
        #expect(set.images.allSatisfy { $0.width != nil && $0.height != nil })
    }

    @Test("DOTA demo: the split tile's difficulty-2 objects are ignore, degenerate boxes are dropped")
    func dotaDemo() throws {
        let root = RealData.path("dota/demo")
        let set = try DOTAReader.read(root: root)
        #expect(set.images.count == 4)
        #expect(set.countsByClass == (try independentDOTACounts(root)))
        let tile = try #require(set.images.first { $0.relativePath.contains("P1478__1__853___962") })
        #expect(tile.objects.contains { $0.ignore })
        #expect(set.report.degenerateBoxes > 0)
        // Raw difficulty-2 lines with an area, counted independently.
        let text = try String(contentsOfFile: root + "/labelTxt/P1478__1__853___962.txt", encoding: .utf8)
        let ignored = text.split(separator: "\n").filter { line in
            let fields = line.split(separator: " ")
            guard fields.count == 10, fields[9] == "2" else { return false }
            let xs = [0, 2, 4, 6].compactMap { Double(fields[$0]) }, ys = [1, 3, 5, 7].compactMap { Double(fields[$0]) }
            return (xs.max() ?? 0) > (xs.min() ?? 0) && (ys.max() ?? 0) > (ys.min() ?? 0)
        }
        #expect(tile.objects.filter(\.ignore).count == ignored.count)
    }

    @Test("iSAID: colour masks registered beside their images; masks without an image and an image without masks listed")
    func isaid() throws {
        let root = RealData.path("isaid")
        #expect(DatasetFormat.detect(root: root)?.format == .segmentation)
        let set = try SegmentationReader.read(root: root)
        #expect(set.images.map(\.relativePath) == ["test/images/P0006.png", "train/images/P0005.png",
                                                   "val/images/P0003.png", "val/images/P0004.png"])
        #expect(set.images.map(\.split) == ["test", "train", "val", "val"])
        #expect(set.images[1].masks == ["train/images/P0005_instance_color_RGB.png"])
        #expect(set.report.annotationsWithoutImage == ["train/images/P0002_instance_color_RGB.png"])
        #expect(set.report.imagesWithoutAnnotations == ["test/images/P0006.png"])
    }

    @Test("LoveDA, Potsdam, Vaihingen: index-PNG masks paired with their tiles", arguments: [
        ("loveda", 3, 1024), ("potsdam", 1, 512), ("vaihingen", 1, 512),
    ])
    func segmentation(name: String, count: Int, size: Int) throws {
        let root = RealData.path("segmentation/" + name)
        let set = try SegmentationReader.read(root: root)
        let images = try FileManager.default.contentsOfDirectory(atPath: root + "/img_dir")
        #expect(set.images.count == images.count && set.images.count == count)
        #expect(set.images.allSatisfy { $0.masks.count == 1 && $0.width == size && $0.height == size })
    }

    @Test("LEVIR-CD: the mismatched pair stops the read by default; skipped, the rest are registered")
    func levir() throws {
        let root = RealData.path("levir-cd")
        #expect(DatasetFormat.detect(root: root)?.format == .change)
        #expect {
            try ChangeReader.read(root: root)
        } throws: { error in
            let error = error as? DatasetError
            return error?.kind == .sizeMismatch && error?.file == "A/test_113_0256.png"
        }
        let set = try ChangeReader.read(root: root, options: ReadOptions(skipInvalid: true))
        let names = try FileManager.default.contentsOfDirectory(atPath: root + "/A")
        #expect(set.pairs.count == names.count - 1)
        #expect(set.report.skipped == [.sizeMismatch: 1])
        #expect(set.report.pairsWithoutLabel == ["A/test_113_0256.png"])
        #expect(set.pairs.allSatisfy { $0.label != nil })
        let listed = try String(contentsOfFile: root + "/list/demo.txt", encoding: .utf8).split(separator: "\n").count
        #expect(set.pairs.filter { $0.split == "demo" }.count == listed)
    }

    @Test("RSICD and RSITMD caption lines: one caption per line, five per image")
    func captionLines() throws {
        let root = RealData.path("captions/amfmn_precomp")
        let set = try CaptionReader.read(root: root)
        var independent: [String: Int] = [:]
        for prefix in ["rsicd", "rsitmd"] {
            let names = try String(contentsOfFile: root + "/\(prefix)_test_filename.head250.txt", encoding: .utf8)
                .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            for name in names { independent[name, default: 0] += 1 }
        }
        var read: [String: Int] = [:]
        for image in set.images { read[image.relativePath, default: 0] += image.captions.count }
        #expect(read == independent)
        #expect(set.captionCount == 500)
        #expect(set.images.allSatisfy { $0.split == "test" })
    }

    @Test("RSICD COCO-caption JSON: captions per image match JSONSerialization; images found get their header size")
    func captionCOCO() throws {
        let root = RealData.path("captions")
        #expect(DatasetFormat.detect(root: root + "/rsicd_coco_format")?.format == .captions)
        #expect(DatasetFormat.detect(root: root + "/rsicd_coco_format/captions_val2017.json")?.format == .captions)
        #expect(DatasetFormat.detect(root: root + "/amfmn_precomp")?.format == .captions)
        let set = try CaptionReader.read(root: root)
        var independent: [String: Int] = [:]
        for file in ["captions_val2017.json", "captions_test2017.json"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: root + "/rsicd_coco_format/" + file))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let images = try #require(object["images"] as? [[String: Any]])
            var names: [Int: String] = [:]
            for image in images { names[image["id"] as? Int ?? -1] = image["file_name"] as? String }
            for annotation in try #require(object["annotations"] as? [[String: Any]]) {
                independent[names[annotation["image_id"] as? Int ?? -1] ?? "?", default: 0] += 1
            }
        }
        var read: [String: Int] = [:]
        for image in set.images where !image.relativePath.hasPrefix("rsicd_images/") || independent[String(image.relativePath.dropFirst(13))] != nil {
            let name = image.relativePath.split(separator: "/").last.map(String.init) ?? image.relativePath
            guard independent[name] != nil else { continue }
            read[name, default: 0] += image.captions.count
        }
        // The JSON-lines files add augmented captions for some of the same names: compare COCO-only names.
        let jsonl = Set(set.images.filter { $0.relativePath.hasPrefix("rsicd_images/") }.map { String($0.relativePath.dropFirst(13)) })
        for name in jsonl { read[name] = nil; independent[name] = nil }
        #expect(read == independent)
        let stadium = try #require(set.images.first { $0.relativePath == "rsicd_images/stadium_1.jpg" })
        #expect(stadium.width == 224)
    }

    @Test("image sizes from the first 16 KiB equal those from the whole file, for every real PNG and JPEG")
    func quickHeaders() throws {
        let files = FileManager.default.enumerator(atPath: RealData.root)?.compactMap { $0 as? String }
            .filter { ["png", "jpg"].contains(DatasetFiles.fileExtension($0)) } ?? []
        #expect(files.count > 50)
        for file in files {
            let path = RealData.path(file)
            #expect(try BoxRepair.headerQuickly(path) == ImageDecoder().header(ofFile: path), "\(file)")
        }
    }
}
