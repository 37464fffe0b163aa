import Foundation
import Testing
import SkyTestSupport

@Suite("ingest options of single formats")
struct IngestOptionTests {
    /// An HRSC2016 folder: one image with a Nimitz (carrier type), an Arleigh Burke (warcraft type, "warship" in
    /// English) and a plain ship.
    func hrsc() throws -> TemporaryFolder {
        let folder = try TemporaryFolder("cli-hrsc")
        let objects = ["100000005", "100000007", "100000001"].map { id in
            "<HRSC_Object><Class_ID>\(id)</Class_ID><box_xmin>1</box_xmin><box_ymin>1</box_ymin>"
                + "<box_xmax>9</box_xmax><box_ymax>9</box_ymax></HRSC_Object>"
        }.joined()
        try folder.write("<HRSC_Image><Img_FileName>100000001</Img_FileName><Img_FileFmt>bmp</Img_FileFmt>"
                         + "<Img_SizeWidth>20</Img_SizeWidth><Img_SizeHeight>20</Img_SizeHeight>"
                         + "<HRSC_Objects>\(objects)</HRSC_Objects></HRSC_Image>", to: "hrsc/Annotations/100000001.xml")
        try folder.write("", to: "hrsc/AllImages/100000001.bmp")
        return folder
    }

    func classes(_ corpus: String) throws -> [String: Int] {
        let stats = try CommandRunner.run(["stats", "--json", "--corpus", corpus])
        let object = try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any]
        return object?["classes"] as? [String: Int] ?? [:]
    }

    @Test func hrscClassLevelNamesObjectsAtThatLevel() throws {
        let folder = try hrsc()
        let ship = folder.path("ship.sqlite"), category = folder.path("category.sqlite")
        #expect(try CommandRunner.run(["ingest", folder.path("hrsc"), "--dataset", "hrsc", "--corpus", ship, "--quiet"]).status == 0)
        #expect(try classes(ship) == ["ship": 3])
        let result = try CommandRunner.run(["ingest", folder.path("hrsc"), "--dataset", "hrsc", "--format", "hrsc",
                                            "--hrsc-class-level", "category", "--corpus", category, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try classes(category) == ["aircraft carrier": 1, "warship": 1, "ship": 1])
        let bad = try CommandRunner.run(["ingest", folder.path("hrsc"), "--dataset", "hrsc", "--hrsc-class-level", "fleet",
                                         "--corpus", category])
        #expect(bad.status == 64 && bad.stderr.contains("category"))
    }

    @Test func patchFlagsAreCheckedBeforeAnythingIsRead() throws {
        let folder = try TemporaryFolder("cli-patches")
        let corpus = folder.path("c.sqlite")
        let cases: [([String], String)] = [
            (["--patch-size", "32"], "need --patches"),
            (["--patches", folder.path("p"), "--patch-size", "8"], "patch size 8"),
            (["--patches", folder.path("p"), "--patch-size", "32", "--patch-stride", "40"], "patch stride 40"),
            (["--patches", folder.path("p"), "--format", "dota"], "not dota"),
            (["--isprs-labels", "thin"], "eroded"),
        ]
        for (flags, message) in cases {
            let result = try CommandRunner.run(["ingest", folder.path("nowhere"), "--dataset", "d", "--corpus", corpus] + flags)
            #expect(result.status == 64 && result.stderr.contains(message), "\(flags): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: corpus) && !FileManager.default.fileExists(atPath: folder.path("p")))
    }
}
