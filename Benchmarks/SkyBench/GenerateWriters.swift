import Foundation

// Where each generated file goes and the annotation text of each format, as the readers of SkyDatasets take them.

/// The files of one planned image, relative to its dataset's folder.
struct GeneratedPaths {
    var photo: String
    /// Per-image annotation file (DOTA txt, VOC XML, YOLO txt), if the format has one.
    var annotation: String?
    /// Mask file (segmentation), or the after image and the label of a change pair.
    var mask: String?
    var after: String?

    init(_ image: PlannedImage, layout: GeneratedLayout) {
        let file = image.stem + "." + image.fileExtension, split = image.split, stem = image.stem
        switch layout {
        case .dota:
            photo = "\(split)/images/\(file)"
            annotation = "\(split)/labelTxt/\(stem).txt"
        case .voc:
            photo = "JPEGImages/\(file)"
            annotation = "Annotations/\(stem).xml"
        case .coco:
            photo = "images/\(split)/\(file)"
        case .yolo:
            photo = "images/\(split)/\(file)"
            annotation = "labels/\(split)/\(stem).txt"
        case .visdrone:
            photo = "\(GeneratedPaths.visDroneFolder(split))/images/\(file)"
            annotation = "\(GeneratedPaths.visDroneFolder(split))/annotations/\(stem).txt"
        case .indexMasks:
            photo = "img_dir/\(split)/\(file)"
            mask = "ann_dir/\(split)/\(stem).png"
        case .colourMasks:
            photo = "\(split)/images/\(file)"
            mask = "\(split)/images/\(stem)_instance_color_RGB.png"
        case .captions:
            photo = "images/\(file)"
        case .change:
            photo = "\(split)/A/\(file)"
            after = "\(split)/B/\(file)"
            mask = "\(split)/label/\(stem).png"
        }
    }

    /// VisDrone-DET's folder of one split, as the dataset is distributed (`VisDrone2019-DET-train`).
    static func visDroneFolder(_ split: String) -> String { "VisDrone2019-DET-\(split)" }

    /// The folders a dataset's files go in, for its splits.
    static func folders(layout: GeneratedLayout, splits: [String]) -> [String] {
        switch layout {
        case .dota: splits.flatMap { ["\($0)/images", "\($0)/labelTxt"] }
        case .voc: ["JPEGImages", "Annotations", "ImageSets/Main"]
        case .coco: ["annotations"] + splits.map { "images/\($0)" }
        case .yolo: splits.flatMap { ["images/\($0)", "labels/\($0)"] }
        case .visdrone: splits.flatMap { ["\(visDroneFolder($0))/images", "\(visDroneFolder($0))/annotations"] }
        case .indexMasks: splits.flatMap { ["img_dir/\($0)", "ann_dir/\($0)"] }
        case .colourMasks: splits.map { "\($0)/images" }
        case .captions: ["images"]
        case .change: splits.flatMap { ["\($0)/A", "\($0)/B", "\($0)/label"] }
        }
    }
}

/// Annotation text per format.
enum GeneratedAnnotations {
    /// The per-image annotation file's text (DOTA, VOC, YOLO), nil for the formats without one.
    static func perImage(_ image: PlannedImage, spec: GeneratedDatasetSpec) -> String? {
        let classes = spec.classes
        switch spec.layout {
        case .dota:
            var text = "imagesource:GoogleEarth\ngsd:0.\(1 + image.seed % 9)\n"
            for (number, box) in image.shapes.enumerated() {
                let x1 = box.x, y1 = box.y, x2 = box.x + box.width, y2 = box.y + box.height
                text += "\(x1) \(y1) \(x2) \(y1) \(x2) \(y2) \(x1) \(y2) \(classes[box.classIndex]) \(number % 11 == 10 ? 1 : 0)\n"
            }
            return text
        case .voc:
            var text = "<annotation>\n  <folder>JPEGImages</folder>\n  <filename>\(image.stem).\(image.fileExtension)</filename>\n"
                + "  <size><width>\(image.width)</width><height>\(image.height)</height><depth>3</depth></size>\n"
            for box in image.shapes {
                text += "  <object><name>\(classes[box.classIndex])</name><pose>Unspecified</pose><truncated>0</truncated>"
                    + "<difficult>0</difficult><bndbox><xmin>\(box.x + 1)</xmin><ymin>\(box.y + 1)</ymin>"
                    + "<xmax>\(box.x + box.width)</xmax><ymax>\(box.y + box.height)</ymax></bndbox></object>\n"
            }
            return text + "</annotation>\n"
        case .visdrone:
            // VisDrone-DET: `left,top,width,height,score,category,truncation,occlusion`; category = class index + 1
            // (1 pedestrian ... 10 motor, 11 others), score 1 (evaluated), truncation and occlusion from the seed.
            var text = ""
            for (number, box) in image.shapes.enumerated() {
                let mix = Int((image.seed >> 8) % 7) + number
                text += "\(box.x),\(box.y),\(box.width),\(box.height),1,\(box.classIndex + 1),\(mix % 3 == 2 ? 1 : 0),\(mix % 3)\n"
            }
            return text
        case .yolo:
            var text = ""
            let w = Double(image.width), h = Double(image.height)
            for box in image.shapes {
                text += "\(box.classIndex) \(fixed((Double(box.x) + Double(box.width) / 2) / w)) "
                    + "\(fixed((Double(box.y) + Double(box.height) / 2) / h)) \(fixed(Double(box.width) / w)) \(fixed(Double(box.height) / h))\n"
            }
            return text
        default:
            return nil
        }
    }

    /// Six decimals, as YOLO exporters write.
    static func fixed(_ value: Double) -> String {
        let scaled = Int((value * 1_000_000).rounded())
        return "\(scaled / 1_000_000)." + GeneratePlan.padded(scaled % 1_000_000, 6)
    }

    /// `annotations/instances_SPLIT.json` of a COCO dataset: its images of `split` with their boxes.
    static func coco(_ images: [PlannedImage], spec: GeneratedDatasetSpec) -> String {
        var imageRecords: [String] = [], annotations: [String] = []
        for (number, image) in images.enumerated() {
            imageRecords.append("{\"id\":\(number + 1),\"file_name\":\"\(image.stem).\(image.fileExtension)\",\"width\":\(image.width),\"height\":\(image.height)}")
            for box in image.shapes {
                annotations.append("{\"id\":\(annotations.count + 1),\"image_id\":\(number + 1),\"category_id\":\(box.classIndex + 1),"
                    + "\"bbox\":[\(box.x),\(box.y),\(box.width),\(box.height)],\"area\":\(box.width * box.height),\"iscrowd\":0}")
            }
        }
        let categories = spec.classes.enumerated().map { "{\"id\":\($0.offset + 1),\"name\":\"\($0.element)\"}" }
        return "{\"images\":[\n" + imageRecords.joined(separator: ",\n") + "],\n\"annotations\":[\n"
            + annotations.joined(separator: ",\n") + "],\n\"categories\":[" + categories.joined(separator: ",") + "]}\n"
    }

    static let subjects = ["buildings", "green trees", "a river", "a road", "farmland", "houses", "a parking lot", "a pond",
                           "a playground", "a bridge", "bare land", "a railway station", "a church", "a beach", "a meadow"]
    static let templates = ["there are {a} near {b} .", "{a} and {b} are in the picture .", "an aerial image of {a} beside {b} .",
                            "{b} is surrounded by {a} .", "many {a} are next to {b} ."]

    /// Five human-style sentences for a caption-dataset image, from its seed.
    static func sentences(seed: UInt64) -> [String] {
        var random = GeneratorRandom(seed: seed ^ 0x5EED)
        return templates.map { template in
            let a = subjects[random.below(subjects.count)], b = subjects[random.below(subjects.count)]
            return template.replacingOccurrences(of: "{a}", with: a).replacingOccurrences(of: "{b}", with: b)
        }
    }

    /// `dataset_NAME.json` in Karpathy's layout (RSICD, RSITMD, UCM-captions).
    static func karpathy(_ images: [PlannedImage], spec: GeneratedDatasetSpec) -> String {
        let records = images.enumerated().map { number, image in
            let sentences = sentences(seed: image.seed).map { "{\"raw\":\"\($0)\"}" }.joined(separator: ",")
            return "{\"filename\":\"\(image.stem).\(image.fileExtension)\",\"filepath\":\"images\",\"imgid\":\(number),"
                + "\"split\":\"\(image.split)\",\"sentences\":[\(sentences)]}"
        }
        return "{\"dataset\":\"\(spec.name)\",\"images\":[\n" + records.joined(separator: ",\n") + "]}\n"
    }
}
