import Foundation
import SkyImaging
import SkyPipeline
import SkyStorage
import SkyTestSupport
import Testing

/// Dataset names are refused before anything is read or written when they cannot serve as a name.
@Suite struct DatasetNameTests {
    @Test func badNamesAreRefusedByEveryWayADatasetIsMade() throws {
        let folder = try TemporaryFolder("names")
        let images = folder.url.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        try ImageEncoder.write(RasterImage(width: 4, height: 4, layout: .gray), to: images.appendingPathComponent("a.png").path)
        let corpus = try Corpus(path: folder.path("c.sqlite"), access: .create)
        let bad = ["", "two\nlines", "tab\there", " padded", "padded ", String(repeating: "x", count: 129), "line\u{2028}sep"]
        for name in bad {
            let error = #expect(throws: CorpusError.self) { try DatasetRecord.checkName(name) }
            #expect(error?.description.contains("dataset name") == true)
            #expect(throws: CorpusError.self) { _ = try ImageRegistration(dataset: name, folder: images.path).run(in: corpus) }
            #expect(throws: CorpusError.self) {
                _ = try DatasetIngest.run(IngestRequest(name: name, root: images.path, format: .dota), into: corpus)
            }
            #expect(throws: CorpusError.self) { try corpus.write { try $0.insertDataset(DatasetRecord(name: name, root: nil)) } }
        }
        #expect(try corpus.read { try $0.allDatasets() }.isEmpty)
        for good in ["dota", "DIOR-R test", "rsicd:v2", String(repeating: "x", count: 128), "Überführung"] {
            try DatasetRecord.checkName(good)
        }
        #expect(try ImageRegistration(dataset: "DIOR-R test", folder: images.path).run(in: corpus).added == 1)
    }
}
