import Foundation
import Testing
@testable import SkyDatasets

@Suite("Image sizes from TIFF and BMP headers")
struct ImageSizeTests {
    struct Case: Decodable { var file: String; var width: Int; var height: Int }
    struct Sizes: Decodable { var cases: [Case] }

    @Test("sizes equal Pillow's Image.open().size (Scripts/make_image_size_fixtures.py)")
    func matchesPillow() throws {
        let sizes = try JSONDecoder().decode(Sizes.self, from: Fixtures.data("sizes/sizes.json"))
        #expect(sizes.cases.count == 7)
        for item in sizes.cases {
            let url = try #require(Bundle.module.url(forResource: "Fixtures/sizes/" + item.file, withExtension: nil))
            let size = try ImageSize.read(url.path, name: item.file)
            #expect(size.width == item.width && size.height == item.height, "\(item.file)")
        }
    }

    @Test("a TIFF without its size tags and a truncated BMP are errors naming the file")
    func broken() throws {
        let data = try TempDataset("sizes")
        try data.write("a.tif", "II*\u{0}\u{8}\u{0}\u{0}\u{0}\u{0}\u{0}")
        try data.write("b.bmp", "BM12")
        for name in ["a.tif", "b.bmp"] {
            #expect {
                try ImageSize.read(data.path(name), name: name)
            } throws: { error in
                (error as? DatasetError)?.file == name && (error as? DatasetError)?.kind == .unreadableImage
            }
        }
    }

    @Test("captions on TIFF images get their sizes (RSITMD, UCM and Sydney ship TIFF)")
    func tiffCaptions() throws {
        let data = try TempDataset("ucm")
        let source = try #require(Bundle.module.url(forResource: "Fixtures/sizes/rgb_le.tif", withExtension: nil))
        try FileManager.default.createDirectory(atPath: data.path("imgs"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source.path, toPath: data.path("imgs/agricultural00.tif"))
        try data.write("dataset.json", """
            {"images": [{"filename": "agricultural00.tif", "split": "train", "sentences": [{"raw": "fields ."}]}]}
            """)
        let set = try CaptionReader.read(root: data.root)
        #expect(set.images.first?.relativePath == "imgs/agricultural00.tif")
        #expect(set.images.first?.width == 7 && set.images.first?.height == 5)
    }
}
