import Foundation
import SkyGeometry
import SkyImaging
import Testing
@testable import SkyText

/// B2C over the genuine samples in `../shared/realdata`: DOTA boxes, and iSAID / LoveDA masks through
/// M2B (SkyGeometry). The captions are printed (prefix `b2c-real`) so a reader can judge them.
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

    /// The M2B objects of a mask (SkyGeometry's M2B, the palette's default ignored classes skipped).
    func m2bObjects(mask path: String, palette name: String) throws -> ([B2CObject], ImageSize) {
        let palette = try Palette.named(name)
        let mask = try LabelMask.load(path: RealData.path(path), palette: palette)
        let names = Dictionary(palette.classes.map { ($0.index, $0.name) }, uniquingKeysWith: { first, _ in first })
        let regions = M2B.boxes(in: mask, options: M2BOptions(ignoredClasses: Set(palette.defaultIgnore)))
        let objects = try regions.map { region in
            let raw = try #require(names[region.classValue], "\(path): class value \(region.classValue) not in \(name)")
            return B2CObject(name: naming.name(for: ClassTable.standard.singular(raw: raw, dataset: name)),
                             box: region.box.axisBox, origin: .m2b)
        }
        return (objects, ImageSize(width: Double(mask.width), height: Double(mask.height)))
    }

    @Test func loveDAMasks() throws {
        let masks = RealData.files(in: "segmentation/loveda/ann_dir", suffix: ".png")
        #expect(masks.count == 3)
        for mask in masks {
            let (objects, size) = try m2bObjects(mask: mask, palette: "loveda")
            #expect(!objects.isEmpty)
            try checkAndPrint("loveda/" + (mask as NSString).lastPathComponent, objects: objects, size: size)
        }
    }

    @Test func iSAIDMasks() throws {
        let masks = ["train", "val", "test"].flatMap {
            RealData.files(in: "isaid/\($0)/images", suffix: "_instance_color_RGB.png")
        }
        #expect(masks.count == 4)
        for mask in masks {
            let (objects, size) = try m2bObjects(mask: mask, palette: "isaid")
            #expect(!objects.isEmpty, "\(mask)")
            try checkAndPrint("isaid/" + (mask as NSString).lastPathComponent, objects: objects, size: size)
        }
    }
}
