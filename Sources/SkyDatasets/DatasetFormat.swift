import SkyImaging

/// What a dataset holds, once read.
public enum DatasetContents: Sendable {
    case detection(DetectionSet)
    case captions(CaptionSet)
    case change(ChangeSet)
    case segmentation(SegmentationSet)
    /// Scene classification: one class per image.
    case classification(ClassificationSet)

    /// What the reader found besides the records.
    public var report: ReadReport {
        switch self {
        case .detection(let set): set.report
        case .captions(let set): set.report
        case .change(let set): set.report
        case .segmentation(let set): set.report
        case .classification(let set): set.report
        }
    }
}

/// Every annotation layout SkyCorpus reads, by its `--format` name.
public enum DatasetFormat: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case dota, voc, diorR = "dior-r", hrsc, coco, yolo, visdrone, nwpu, carpk, sdd, auair, levir, rsod, isaid, isprs
    case captions, change, segmentation
    /// Scene classification as AID, NWPU-RESISC45, UCM-21, RSSCN7, WHU-RS19 and PatternNet ship: DIR/CLASS/IMAGE.
    case classFolders = "class-folders"
    /// EuroSAT: class folders below `2750/` or `EuroSAT_RGB/`, with torchgeo's split lists when present.
    case eurosat

    public var description: String { rawValue }

    /// Reads the dataset at `root` in this format.
    public func read(root: String, options: ReadOptions = ReadOptions()) throws(DatasetError) -> DatasetContents {
        switch self {
        case .dota: .detection(try DOTAReader.read(root: root, options: options))
        case .voc, .hrsc: .detection(try VOCReader.read(root: root, options: options))
        case .diorR: .detection(try VOCReader.read(root: root, preferOriented: true, options: options))
        case .coco: .detection(try COCOReader.read(root: root, options: options))
        case .yolo: .detection(try YOLOReader.read(root: root, options: options))
        case .visdrone: .detection(try VisDroneReader.read(root: root, options: options))
        case .nwpu: .detection(try NWPUReader.read(root: root, options: options))
        case .carpk: .detection(try CARPKReader.read(root: root, options: options))
        case .sdd: .detection(try StanfordDroneReader.read(root: root, options: options))
        case .auair: .detection(try AUAIRReader.read(root: root, options: options))
        case .levir: .detection(try LEVIRReader.read(root: root, options: options))
        case .rsod: .detection(try RSODReader.read(root: root, options: options))
        case .isaid: .detection(try ISAIDReader.read(root: root, options: options))
        case .isprs: .segmentation(try ISPRSReader.read(root: root, options: options))
        case .captions: .captions(try CaptionReader.read(root: root, options: options))
        case .change: .change(try ChangeReader.read(root: root, options: options))
        case .segmentation: .segmentation(try SegmentationReader.read(root: root, options: options))
        case .classFolders: .classification(try ClassFolderReader.read(root: root, options: options))
        case .eurosat: .classification(try ClassFolderReader.readEuroSAT(root: root, options: options))
        }
    }

    /// The format of the dataset at `root`, judged from its layout, with the evidence; nil when none fits.
    public static func detect(root: String) -> (format: DatasetFormat, evidence: String)? {
        func has(_ name: String, in folder: String = root) -> String? { DatasetFiles.child(folder, named: name) }
        func peek(_ path: String) -> String {
            String(decoding: (try? FileBytes.read(path, limit: 1 << 16)) ?? [], as: UTF8.self)
        }
        if DatasetFiles.isFile(root) {
            let text = peek(root)
            let lower = root.lowercased()
            // COCO-caption files list their images first: the file name may be the only early sign.
            let name = lower.split(separator: "/").last.map(String.init) ?? lower
            if (lower.hasSuffix(".json") || lower.hasSuffix(".jsonl"))
                && (text.contains("\"sentences\"") || text.contains("\"caption") || name.contains("caption")) {
                return (.captions, "a caption file (Karpathy, COCO-caption or JSON lines)")
            }
            return nil
        }
        let subfolders = DatasetFiles.list(root).map { DatasetFiles.join(root, $0) }.filter(DatasetFiles.isDirectory)
        if !DOTAReader.labelFolders(root: root).isEmpty {
            return (.dota, "labelTxt/ label files beside images/ (DOTA)")
        }
        if ISAIDReader.hasInstanceJSON(root: root) {
            return (.isaid, "iSAID_SPLIT.json instance annotations beside images/ (iSAID)")
        }
        let auair = DatasetFiles.join(root, "annotations.json")
        if DatasetFiles.isFile(auair), peek(auair).contains("image_name") {
            return (.auair, "annotations.json with image_name records (AU-AIR)")
        }
        if has("ground truth") != nil || has("ground_truth") != nil {
            return (.nwpu, "'ground truth/' folder (NWPU VHR-10)")
        }
        let devkit = has("data").flatMap { has("Annotations", in: $0) }
        if let annotations = has("Annotations") ?? has("Annotation") ?? devkit {
            let entries = DatasetFiles.list(annotations)
            if let text = entries.first(where: { $0.lowercased().hasSuffix(".txt") }) {
                // Folder names match case-insensitively: tell VisDrone's comma lines from CARPK's spaced ones.
                if peek(DatasetFiles.join(annotations, text)).contains(",") {
                    return (.visdrone, "annotations/*.txt of comma-separated boxes beside images/ (VisDrone)")
                }
                return (.carpk, "Annotations/ of txt files beside Images/ (CARPK devkit)")
            }
            if let folder = VOCReader.annotationFolder(root: root, preferOriented: false),
               let first = DatasetFiles.list(folder).first(where: { $0.lowercased().hasSuffix(".xml") }) {
                let text = peek(DatasetFiles.join(folder, first))
                if text.contains("<HRSC_Image") { return (.hrsc, "Annotations/*.xml with <HRSC_Image> (HRSC2016)") }
                if text.contains("<robndbox") { return (.diorR, "Annotations/*.xml with <robndbox> (DIOR-R style)") }
                return (.voc, "Annotations/*.xml with <annotation> (Pascal VOC: DIOR, HRRSD, RSOD, LEVIR)")
            }
        }
        if ChangeReader.hasLayout(root) || subfolders.contains(where: ChangeReader.hasLayout) {
            return (.change, "before/after image folders (A/B, time1/time2 or im1/im2) with change labels")
        }
        if !RSODReader.classFolders(root: root).isEmpty {
            return (.rsod, "class folders with Annotation/xml/ or Annotation/labels/ (RSOD)")
        }
        if subfolders.contains(where: { VOCReader.annotationFolder(root: $0, preferOriented: false) != nil }) {
            return (.voc, "class folders with VOC XML annotations")
        }
        if has("imageWithLabel") != nil {
            return (.levir, "imageWithLabel/ of image + txt label pairs (LEVIR)")
        }
        if let annotations = has("annotations") {
            if has("frames") != nil { return (.sdd, "annotations/ + frames/ (Stanford Drone)") }
            let entries = DatasetFiles.list(annotations)
            if entries.contains(where: { $0.lowercased().hasSuffix(".txt") }) {
                return (.visdrone, "annotations/*.txt beside images/ (VisDrone)")
            }
            if let json = entries.first(where: { $0.lowercased().hasSuffix(".json") && !$0.lowercased().hasPrefix("captions") }),
               peek(DatasetFiles.join(annotations, json)).contains("\"images\"") {
                return (.coco, "annotations/\(json) (COCO JSON)")
            }
        }
        if subfolders.contains(where: { has("annotations", in: $0) != nil && has("images", in: $0) != nil }) {
            return (.visdrone, "split folders of images/ + annotations/ (VisDrone)")
        }
        if has("images") != nil, has("labels") != nil,
           DatasetFiles.isFile(DatasetFiles.join(root, "classes.txt")) || DatasetFiles.isFile(DatasetFiles.join(root, "data.yaml"))
            || DatasetFiles.list(root).contains(where: { $0.hasSuffix(".names") }) {
            return (.yolo, "images/ + labels/ with a class-name file (YOLO)")
        }
        if ISPRSReader.hasLayout(root: root) {
            return (.isprs, "ISPRS tiles (top_potsdam_*_RGB.tif or top_mosaic_09cm_area*.tif) with RGB label tiles")
        }
        if !SegmentationReader.pairFolders(root: root).isEmpty {
            return (.segmentation, "image and mask folders (img_dir/ann_dir, images_png/masks_png, or iSAID masks; "
                    + "--format isaid reads iSAID's instance masks as one object per instance)")
        }
        for json in DatasetFiles.list(root).filter({ $0.lowercased().hasSuffix(".json") }) {
            let text = peek(DatasetFiles.join(root, json))
            if text.contains("\"sentences\"") || text.contains("\"caption\"") || json.lowercased().contains("caption") {
                return (.captions, "\(json) with captions (Karpathy or COCO-caption JSON)")
            }
            if text.contains("\"annotations\"") || text.contains("\"categories\"") {
                return (.coco, "\(json) (COCO JSON)")
            }
        }
        let captionFiles = CaptionReader.captionFiles(root: root)
        if !captionFiles.json.isEmpty || !captionFiles.lines.isEmpty {
            return (.captions, "caption files (JSON, JSON lines, or *caps*.txt with *filename*.txt)")
        }
        if ClassFolderReader.isEuroSAT(root) {
            return (.eurosat, "EuroSAT's class folders (AnnualCrop, SeaLake, ...)")
        }
        if ClassFolderReader.hasLayout(root) {
            return (.classFolders, "one folder of images per class (DIR/CLASS/IMAGE: AID, NWPU-RESISC45, UCM, ...)")
        }
        return nil
    }
}
