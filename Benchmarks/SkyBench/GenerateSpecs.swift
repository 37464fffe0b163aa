// The synthetic datasets `skybench generate` writes: RemoteCLIP's 17 training sets (PAPER Table I) in the formats
// they are distributed in, with their image counts as shares, their average resolutions and boxes per image.

/// How one synthetic dataset is laid out on disk.
enum GeneratedLayout: String, Sendable {
    /// `SPLIT/images/NAME.png` + `SPLIT/labelTxt/NAME.txt` (DOTA v1.0 with `imagesource:`/`gsd:` headers).
    case dota
    /// `JPEGImages/` + `Annotations/*.xml` + `ImageSets/Main/SPLIT.txt` (DIOR, HRRSD, RSOD, LEVIR, HRSC as VOC).
    case voc
    /// `annotations/instances_SPLIT.json` + `images/SPLIT/` (COCO JSON boxes).
    case coco
    /// `images/SPLIT/` + `labels/SPLIT/*.txt` (`class cx cy w h`, normalised) + `classes.txt`.
    case yolo
    /// VisDrone-DET as distributed: `VisDrone2019-DET-SPLIT/images/NAME.jpg` + `annotations/NAME.txt`, one box per
    /// line `left,top,width,height,score,category,truncation,occlusion` (categories 1-10 named, 11 "others").
    case visdrone
    /// `img_dir/SPLIT/` + `ann_dir/SPLIT/` index PNG masks (MMSegmentation's LoveDA, Potsdam, Vaihingen).
    case indexMasks = "index-masks"
    /// `SPLIT/images/NAME.jpg` + `NAME_instance_color_RGB.png` colour masks (iSAID through its palette).
    case colourMasks = "colour-masks"
    /// `images/` + a Karpathy `dataset_NAME.json` with five sentences per image and its split (RSICD, RSITMD, UCM).
    case captions
    /// `SPLIT/A/`, `SPLIT/B/`, `SPLIT/label/` change pairs with 0/255 labels (LEVIR-CD).
    case change

    /// The `skycorpus ingest --format` spelling of this layout.
    var ingestFormat: String {
        switch self {
        case .dota: "dota"
        case .voc: "voc"
        case .coco: "coco"
        case .yolo: "yolo"
        case .visdrone: "visdrone"
        case .indexMasks, .colourMasks: "segmentation"
        case .captions: "captions"
        case .change: "change"
        }
    }
}

/// One dataset of the generated tree.
struct GeneratedDatasetSpec: Sendable {
    var name: String
    var layout: GeneratedLayout
    /// Images in RemoteCLIP's corpus (PAPER Table I); the generated count is this share of N.
    var paperImages: Int
    var width: Int
    var height: Int
    /// Mean boxes (or mask regions) per image: Table I's #Box / #Image.
    var meanObjects: Double
    var classes: [String]
    /// The photo's file extension: `jpg` (JPEG) or `png`.
    var photoExtension: String = "jpg"
    /// Mask palette name for the segmentation layouts (`Schemas/palettes/NAME.json`).
    var palette: String? = nil
    /// Split shares, in order: train, val, test.
    var splits: [(String, Double)] = [("train", 0.7), ("val", 0.1), ("test", 0.2)]
}

enum GeneratedDatasets {
    /// RemoteCLIP's datasets (165,745 images in all), plus LEVIR-CD change pairs beyond it (`changeShare` of N).
    static let remoteCLIP: [GeneratedDatasetSpec] = [
        // RET-3: captions (Karpathy JSON), with the test splits that dedup protects.
        .init(name: "rsicd", layout: .captions, paperImages: 8_483, width: 224, height: 224, meanObjects: 0, classes: [],
              splits: [("train", 0.8), ("val", 0.1), ("test", 0.1)]),
        .init(name: "rsitmd", layout: .captions, paperImages: 3_603, width: 256, height: 256, meanObjects: 0, classes: [],
              splits: [("train", 0.8), ("test", 0.2)]),
        .init(name: "ucm", layout: .captions, paperImages: 1_676, width: 256, height: 256, meanObjects: 0, classes: [],
              splits: [("train", 0.8), ("val", 0.1), ("test", 0.1)]),
        // DET-10.
        .init(name: "auair", layout: .coco, paperImages: 32_823, width: 1920, height: 1080, meanObjects: 4.0,
              classes: ["Human", "Car", "Truck", "Van", "Motorbike", "Bicycle", "Bus", "Trailer"],
              splits: [("train", 0.8), ("val", 0.2)]),
        .init(name: "carpk", layout: .yolo, paperImages: 1_568, width: 1280, height: 720, meanObjects: 68.0,
              classes: ["car"], splits: [("train", 0.7), ("test", 0.3)]),
        .init(name: "dior", layout: .voc, paperImages: 23_463, width: 800, height: 800, meanObjects: 8.2,
              classes: ["airplane", "airport", "baseballfield", "basketballcourt", "bridge", "chimney", "dam",
                        "Expressway-Service-area", "Expressway-toll-station", "golffield", "groundtrackfield", "harbor",
                        "overpass", "ship", "stadium", "storagetank", "tenniscourt", "trainstation", "vehicle", "windmill"]),
        .init(name: "dota", layout: .dota, paperImages: 1_409, width: 1504, height: 1395, meanObjects: 70.3,
              classes: ["plane", "ship", "storage-tank", "baseball-diamond", "tennis-court", "basketball-court",
                        "ground-track-field", "harbor", "bridge", "large-vehicle", "small-vehicle", "helicopter",
                        "roundabout", "soccer-ball-field", "swimming-pool"],
              photoExtension: "png", splits: [("train", 0.75), ("val", 0.25)]),
        .init(name: "hrrsd", layout: .voc, paperImages: 21_761, width: 1406, height: 1264, meanObjects: 2.6,
              classes: ["airplane", "baseball diamond", "basketball court", "bridge", "crossroad", "ground track field",
                        "harbor", "parking lot", "ship", "storage tank", "T junction", "tennis court", "vehicle"]),
        .init(name: "hrsc", layout: .voc, paperImages: 1_055, width: 1105, height: 791, meanObjects: 1.0, classes: ["ship"]),
        .init(name: "levir", layout: .voc, paperImages: 3_975, width: 800, height: 600, meanObjects: 2.8,
              classes: ["airplane", "ship", "oiltank"]),
        .init(name: "rsod", layout: .voc, paperImages: 936, width: 1051, height: 900, meanObjects: 7.9,
              classes: ["aircraft", "oiltank", "overpass", "playground"]),
        .init(name: "sdd", layout: .yolo, paperImages: 17_351, width: 1424, height: 1088, meanObjects: 20.5,
              classes: ["Pedestrian", "Biker", "Skateboarder", "Cart", "Car", "Bus"], splits: [("train", 0.8), ("val", 0.2)]),
        .init(name: "visdrone", layout: .visdrone, paperImages: 6_471, width: 1509, height: 849, meanObjects: 12.0,
              classes: ["pedestrian", "people", "bicycle", "car", "van", "truck", "tricycle", "awning-tricycle", "bus",
                        "motor", "others"], splits: [("train", 0.85), ("val", 0.15)]),
        // SEG-4: masks with palettes (M2B makes their boxes).
        .init(name: "isaid", layout: .colourMasks, paperImages: 30_821, width: 896, height: 896, meanObjects: 32.0,
              classes: [], palette: "isaid", splits: [("train", 0.75), ("val", 0.25)]),
        .init(name: "loveda", layout: .indexMasks, paperImages: 4_187, width: 1024, height: 1024, meanObjects: 23.4,
              classes: [], palette: "loveda", splits: [("train", 0.6), ("val", 0.4)]),
        .init(name: "potsdam", layout: .indexMasks, paperImages: 5_421, width: 512, height: 512, meanObjects: 17.0,
              classes: [], palette: "potsdam", splits: [("train", 0.63), ("val", 0.37)]),
        .init(name: "vaihingen", layout: .indexMasks, paperImages: 742, width: 512, height: 512, meanObjects: 22.7,
              classes: [], palette: "vaihingen", splits: [("train", 0.46), ("val", 0.54)]),
        // Change pairs (not in RemoteCLIP's count): each pair is two images; paperImages counts pairs x 2.
        .init(name: "levir-cd", layout: .change, paperImages: 0, width: 1024, height: 1024, meanObjects: 3.0,
              classes: [], photoExtension: "png"),
    ]

    /// Share of N given to change-pair images (two per pair).
    static let changeShare = 0.006

    /// Mask class indices drawn per palette: (background index, foreground indices). Index values are the
    /// palettes' own (`Schemas/palettes/`); ignored or no-data classes are left out of the foreground.
    static func maskClasses(palette: String) -> (background: UInt8, foreground: [UInt8]) {
        switch palette {
        case "isaid": (0, Array(1...15))
        case "loveda": (1, [2, 3, 4, 5, 6, 7])
        case "potsdam", "vaihingen": (3, [1, 2, 4, 5, 6])
        default: (0, [1])
        }
    }

    /// Per-dataset image counts for N images in all: shares of Table I, largest remainders, every dataset at
    /// least one image (two for change pairs) once N allows it.
    static func counts(total: Int, specs: [GeneratedDatasetSpec] = remoteCLIP) -> [Int] {
        let changeImages = specs.contains { $0.layout == .change } ? max(2, Int((Double(total) * changeShare / 2).rounded()) * 2) : 0
        let rest = max(0, total - changeImages)
        let paperTotal = Double(specs.reduce(0) { $0 + $1.paperImages })
        var counts = specs.map { spec -> Int in
            spec.layout == .change ? changeImages : Int(Double(rest) * Double(spec.paperImages) / paperTotal)
        }
        var remainders = specs.indices.filter { specs[$0].layout != .change }.map { index in
            (index, Double(rest) * Double(specs[index].paperImages) / paperTotal - Double(counts[index]))
        }
        remainders.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        var missing = rest - counts.enumerated().filter { specs[$0.offset].layout != .change }.reduce(0) { $0 + $1.element }
        for (index, _) in remainders where missing > 0 {
            counts[index] += 1
            missing -= 1
        }
        return counts
    }
}
