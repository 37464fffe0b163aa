import Foundation
import SkyGeometry
import SkyImaging
import Testing
@testable import SkyText

/// B2C over the genuine samples in `../shared/realdata`: DOTA boxes, and iSAID / LoveDA masks through
/// region boxes. The captions are printed (prefix `b2c-real`) so a reader can judge them.
@Suite(.enabled(if: RealData.isPresent, "../shared/realdata is absent"))
struct B2CRealDataTests {
    let phrasings: CaptionPhrasings
    let naming: RuleBasedClassNaming
    let generator: B2CGenerator
    let checker: CaptionChecker

    init() throws {
        phrasings = try CaptionPhrasings.standard()
        naming = RuleBasedClassNaming(phrasings: phrasings)
        generator = try B2CGenerator(phrasings: phrasings)
        checker = CaptionChecker(phrasings: phrasings)
    }

    /// Checks every caption against the objects, as the property tests do, and prints it.
    func checkAndPrint(_ name: String, objects: [B2CObject], size: ImageSize?) throws {
        let captions = generator.captions(for: objects, imageSize: size, seed: 0, identity: name)
        let kept = objects.filter { !$0.ignore }
        #expect(captions.count == (kept.isEmpty ? 0 : 5), "\(name)")
        let names = Array(Set(kept.map(\.name)))
        for caption in captions {
            print("b2c-real \(name) [\(caption.rule.rawValue)] \(caption.text)")
            let region = caption.rule == .count || size == nil ? kept : kept.filter {
                (caption.rule == .center) == generator.options.isCentral($0.box, in: size!)
            }
            for className in names {
                guard let stated = checker.quantity(of: className, in: caption.text) else { continue }
                let actual = region.filter { $0.name == className }
                #expect(!actual.isEmpty, "\(name): '\(caption.text)' names \(className.singular) absent from its region")
                #expect(CaptionChecker.matches(stated, count: actual.count, isArea: actual.first?.origin == .m2b),
                        "\(name): '\(caption.text)' states \(stated) for \(actual.count) \(className.singular)")
            }
            #expect(checker.formProblems(caption.text, names: names).isEmpty, "\(name): '\(caption.text)'")
        }
    }

    @Test func dotaBoxes() throws {
        let labelFiles = RealData.files(in: "dota/example/labelTxt", suffix: ".txt")
            + RealData.files(in: "dota/demo/labelTxt", suffix: ".txt")
        #expect(labelFiles.count == 11)
        for labelFile in labelFiles {
            let labels = try DOTALabel.read(RealData.path(labelFile))
            #expect(!labels.isEmpty, "\(labelFile)")
            // DOTA difficulty 2 marks objects cut by a tile border: ignored. Difficulty 1 is kept.
            let objects = labels.map {
                B2CObject(name: naming.name(for: ClassNameCleaning.clean($0.rawClass)), box: $0.box,
                          difficult: $0.difficulty == 1, ignore: $0.difficulty >= 2)
            }
            let imagePath = labelFile.replacingOccurrences(of: "labelTxt", with: "images")
                .replacingOccurrences(of: ".txt", with: ".png")
            var size: ImageSize? = nil
            if FileManager.default.fileExists(atPath: RealData.path(imagePath)) {
                let header = try ImageDecoder().header(ofFile: RealData.path(imagePath))
                size = ImageSize(width: Double(header.width), height: Double(header.height))
            }
            try checkAndPrint("dota/" + (labelFile as NSString).lastPathComponent, objects: objects, size: size)
        }
    }

    @Test func loveDAMasks() throws {
        // LoveDA index PNG: 0 no-data, 1 background (not an object), 2..7 as below.
        let classes = [2: "building", 3: "road", 4: "water", 5: "barren", 6: "forest", 7: "agricultural land"]
        let masks = RealData.files(in: "segmentation/loveda/ann_dir", suffix: ".png")
        #expect(masks.count == 3)
        for mask in masks {
            let decoded = try ImageDecoder().decodeIndexed(file: RealData.path(mask))
            let labels = decoded.indices.map(Int.init)
            let regions = RegionBoxes.regions(labels: labels, width: decoded.width, height: decoded.height) {
                classes[$0] != nil
            }
            let objects = regions.map {
                B2CObject(name: naming.name(for: classes[$0.label]!), box: $0.box, origin: .m2b)
            }
            try checkAndPrint("loveda/" + (mask as NSString).lastPathComponent, objects: objects,
                              size: ImageSize(width: Double(decoded.width), height: Double(decoded.height)))
        }
    }

    @Test func iSAIDMasks() throws {
        // iSAID semantic colour masks (MMSegmentation's palette); black is background.
        let palette: [Int: String] = [
            0x00003F: "ship", 0x003F3F: "storage tank", 0x003F00: "baseball diamond", 0x003F7F: "tennis court",
            0x003FBF: "basketball court", 0x003FFF: "ground track field", 0x007F3F: "bridge",
            0x007F7F: "large vehicle", 0x00007F: "small vehicle", 0x0000BF: "helicopter",
            0x0000FF: "swimming pool", 0x00BF7F: "roundabout", 0x007FBF: "soccer ball field",
            0x007FFF: "plane", 0x00649B: "harbor",
        ]
        let masks = (["train", "val", "test"].flatMap { RealData.files(in: "isaid/\($0)/images", suffix: "_instance_color_RGB.png") })
        #expect(masks.count == 4)
        for mask in masks {
            let image = try ImageDecoder().decode(file: RealData.path(mask))
            let channels = image.channels
            let labels = (0..<(image.width * image.height)).map { index in
                let offset = index * channels
                let rgb = Int(image.pixels[offset]) << 16 | Int(image.pixels[offset + 1]) << 8 | Int(image.pixels[offset + 2])
                return palette[rgb] == nil ? 0 : rgb
            }
            let regions = RegionBoxes.regions(labels: labels, width: image.width, height: image.height) { $0 != 0 }
            let objects = regions.map { B2CObject(name: naming.name(for: palette[$0.label]!), box: $0.box, origin: .m2b) }
            #expect(!objects.isEmpty, "\(mask)")
            try checkAndPrint("isaid/" + (mask as NSString).lastPathComponent, objects: objects,
                              size: ImageSize(width: Double(image.width), height: Double(image.height)))
        }
    }
}
