import Foundation
import GRDB
import Testing
import SkyPipeline
import SkyStorage
@testable import SkyDatasets

@Suite("Ingest stores multi-part outlines and segmentation areas (migration v3)")
struct StoredOutlineTests {
    /// A COCO dataset: one two-ring polygon, one single polygon, one crowd RLE.
    func coco() throws -> TempDataset {
        let data = try TempDataset("coco")
        try data.image("images/a.png", width: 20, height: 20)
        try data.write("annotations/instances_train.json", """
            {"images": [{"id": 1, "file_name": "a.png", "width": 20, "height": 20}],
             "categories": [{"id": 3, "name": "plane"}],
             "annotations": [
              {"id": 1, "image_id": 1, "category_id": 3, "iscrowd": 0, "bbox": [1, 1, 15, 15],
               "segmentation": [[1, 1, 5, 1, 5, 5, 1, 5], [10, 10, 16, 10, 16, 16, 10, 16]]},
              {"id": 2, "image_id": 1, "category_id": 3, "iscrowd": 0, "bbox": [2, 2, 4, 4],
               "segmentation": [[2, 2, 6, 2, 6, 6, 2, 6]]},
              {"id": 3, "image_id": 1, "category_id": 3, "iscrowd": 1, "bbox": [0, 0, 1, 3],
               "segmentation": {"size": [20, 20], "counts": [0, 3, 397]}}]}
            """)
        return data
    }

    func rows(_ corpus: Corpus) throws -> [Row] {
        try corpus.pool.read { db in try Row.fetchAll(db, sql: "SELECT polygon, polygon_parts, area FROM object ORDER BY id") }
    }

    @Test("rings kept as polygon_parts, a single ring stays polygon; pycocotools' areas with segmentationAreas")
    func partsAndAreas() throws {
        let data = try coco()
        let corpus = try Corpus(path: data.path("../corpus.sqlite"), create: true)
        let request = IngestRequest(name: "coco", root: data.root, format: .coco,
                                    options: ReadOptions(segmentationAreas: true))
        let summary = try DatasetIngest.run(request, into: corpus)
        #expect(summary.objectsAdded == 3)
        let stored = try rows(corpus)
        #expect(stored[0]["polygon"] as String? == nil)
        #expect(stored[0]["polygon_parts"] as String? == "[[[1,1],[5,1],[5,5],[1,5]],[[10,10],[16,10],[16,16],[10,16]]]")
        // pycocotools: a 4x4 square rasterises to 16 pixels, the 6x6 one to 36.
        #expect(stored[0]["area"] as Double? == 52)
        #expect(stored[1]["polygon"] as String? == "[[2,2],[6,2],[6,6],[2,6]]" && stored[1]["polygon_parts"] as String? == nil)
        #expect(stored[1]["area"] as Double? == 16)
        #expect(stored[2]["area"] as Double? == 3, "crowd RLE: 3 pixels set")
    }

    @Test("without segmentationAreas polygons store no area; the RLE keeps its own")
    func areasOff() throws {
        let data = try coco()
        let corpus = try Corpus(path: data.path("../corpus.sqlite"), create: true)
        _ = try DatasetIngest.run(IngestRequest(name: "coco", root: data.root, format: .coco), into: corpus)
        let stored = try rows(corpus)
        #expect(stored[0]["area"] as Double? == nil && stored[1]["area"] as Double? == nil)
        #expect(stored[2]["area"] as Double? == 3)
        #expect(stored[0]["polygon_parts"] as String? != nil)
    }
}
