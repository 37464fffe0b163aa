import Foundation
import GRDB
import SkyPipeline
import SkyStorage
import SkyTestSupport
import Testing
@testable import SkyDatasets

/// Scene-classification layouts: class folders (AID, NWPU-RESISC45, UCM-21, ...) and EuroSAT, read and ingested
/// with one ground-truth label per image.
@Suite struct ClassFolderTests {
    /// UCM-style: `UCMerced_LandUse/Images/CLASS/IMAGE`, glued class names.
    func ucm() throws -> TempDataset {
        let data = try TempDataset("ucm")
        for (index, name) in ["denseresidential", "harbor", "storagetanks"].enumerated() {
            for image in 0..<2 {
                try data.image("UCMerced_LandUse/Images/\(name)/\(name)\(image).png", width: 8 + index, height: 8, value: UInt8(image * 40))
            }
        }
        return data
    }

    @Test func classFoldersAreDetectedAndReadThroughWrapperFolders() throws {
        let data = try ucm()
        #expect(DatasetFormat.detect(root: data.root)?.format == .classFolders)
        let set = try ClassFolderReader.read(root: data.root)
        #expect(set.classes == ["denseresidential", "harbor", "storagetanks"])
        #expect(set.images.count == 6)
        #expect(set.images[0].relativePath == "UCMerced_LandUse/Images/denseresidential/denseresidential0.png")
        #expect(set.images.allSatisfy { $0.split == nil } && set.images.last?.width == 10)
    }

    @Test func splitFoldersGiveSplitsAndSplitFiltersThem() throws {
        let data = try TempDataset("aid")
        for split in ["train", "test"] {
            for name in ["BareLand", "Airport"] { try data.image("\(split)/\(name)/\(name)_1.jpg", width: 4, height: 4) }
        }
        #expect(DatasetFormat.detect(root: data.root)?.format == .classFolders)
        let set = try ClassFolderReader.read(root: data.root)
        #expect(set.images.map(\.split) == ["test", "test", "train", "train"])
        let train = try ClassFolderReader.read(root: data.root, options: ReadOptions(split: "train"))
        #expect(train.images.count == 2 && train.images.allSatisfy { $0.split == "train" })
    }

    @Test func euroSATUsesItsSplitLists() throws {
        let data = try TempDataset("eurosat")
        for name in ["AnnualCrop", "Forest", "HerbaceousVegetation", "Highway", "SeaLake"] {
            for index in 1...2 { try data.image("2750/\(name)/\(name)_\(index).jpg", width: 64, height: 64) }
        }
        try data.write("eurosat-train.txt", "AnnualCrop_1.jpg\nForest_1.jpg\n")
        try data.write("eurosat-test.txt", "AnnualCrop_2.jpg\n")
        #expect(DatasetFormat.detect(root: data.root)?.format == .eurosat)
        let set = try DatasetFormat.eurosat.read(root: data.root)
        guard case .classification(let classes) = set else { Issue.record("not a classification set"); return }
        let splits = Dictionary(uniqueKeysWithValues: classes.images.map { (DatasetFiles.stem($0.relativePath), $0.split) })
        #expect(splits["AnnualCrop_1"] == "train" && splits["AnnualCrop_2"] == "test" && splits["Forest_2"] == .some(nil))
        let other = try ucm()
        #expect(throws: DatasetError.self) { _ = try ClassFolderReader.readEuroSAT(root: other.root) }
    }

    @Test func anEmptyClassFolderAndAnUnreadableImageAreNamed() throws {
        let data = try TempDataset("bad")
        try data.image("beach/1.png", width: 4, height: 4)
        try data.image("forest/1.png", width: 4, height: 4)
        try FileManager.default.createDirectory(atPath: data.path("river"), withIntermediateDirectories: true)
        let empty = #expect(throws: DatasetError.self) { _ = try ClassFolderReader.read(root: data.root) }
        #expect(empty?.description.contains("river") == true && empty?.description.contains("no image") == true)
        try FileManager.default.removeItem(atPath: data.path("river"))
        try data.write("forest/2.png", "not a png")
        let unreadable = #expect(throws: DatasetError.self) { _ = try ClassFolderReader.read(root: data.root) }
        #expect(unreadable?.description.contains("forest/2.png") == true)
        let skipped = try ClassFolderReader.read(root: data.root, options: ReadOptions(skipInvalid: true))
        #expect(skipped.images.count == 2 && skipped.report.skipped[.unreadableImage] == 1)
    }

    @Test func ingestStoresCleanGroundTruthLabelsOnceAndExportsThem() throws {
        let data = try ucm()
        let corpus = try Corpus(path: data.path("../corpus.sqlite"), create: true)
        let first = try DatasetIngest.run(IngestRequest(name: "ucm-21", root: data.root), into: corpus)
        #expect(first.format == "class-folders" && first.imagesAdded == 6 && first.labelsAdded == 6)
        let again = try DatasetIngest.run(IngestRequest(name: "ucm-21", root: data.root), into: corpus)
        #expect(again.imagesAdded == 0 && again.labelsAdded == 0)
        let stats = try CorpusStats.read(from: corpus)
        #expect(stats.imageClasses == ["dense residential": 2, "harbor": 2, "storage tanks": 2])
        #expect(stats.labelSources == ["ground-truth": 6])
        let raw = try corpus.pool.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT raw_class FROM image_label ORDER BY 1") }
        #expect(raw == ["denseresidential", "harbor", "storagetanks"])
        let items = try ExportQuery.labels(in: corpus, selection: ExportSelection(datasets: ["ucm-21"]))
        #expect(items.count == 6 && items.allSatisfy { $0.labels.count == 1 && $0.labels[0].source == .groundTruth })
        let output = data.path("../labels.jsonl")
        let summary = try ExportWriter.writeLabels(items, to: output)
        #expect(summary.images == 6 && summary.labels == 6)
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 6 && lines[0].contains("\"class_name\":\"dense residential\""))
    }

    /// RSICD's images are named by scene (`sparseresidential_3.jpg`): laid out as class folders they are a real
    /// scene-classification sample.
    @Test(.enabled(if: TestPaths.hasRealData, "../shared/realdata is absent"))
    func realRSICDImagesAsClassFolders() throws {
        let source = TestPaths.realData("captions/rsicd_images")
        let data = try TempDataset("rsicd-scenes")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where name.hasSuffix(".jpg") {
            let scene = String(name.split(separator: "_")[0])
            try FileManager.default.createDirectory(atPath: data.path(scene), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: source.appendingPathComponent(name).path, toPath: data.path("\(scene)/\(name)"))
        }
        #expect(DatasetFormat.detect(root: data.root)?.format == .classFolders)
        let corpus = try Corpus(path: data.path("../corpus.sqlite"), create: true)
        let summary = try DatasetIngest.run(IngestRequest(name: "rsicd-scenes", root: data.root), into: corpus)
        #expect(summary.imagesAdded == 6 && summary.labelsAdded == 6)
        let stats = try CorpusStats.read(from: corpus)
        #expect(stats.imageClasses == ["airport": 1, "sparse residential": 2, "square": 2, "stadium": 1])
    }
}
