import SkyGeometry

/// One annotated object, in the common model every dataset reader produces.
public struct AnnotatedObject: Sendable, Hashable, Codable {
    /// The class name as the dataset spells it (cleaned later through `Schemas/classes/`).
    public var rawClass: String
    /// The axis-aligned box in pixels.
    public var box: AxisBox
    /// The rotated box, when the format has one.
    public var rotated: RotatedBox?
    /// The polygon, when the format has one (DOTA's four corners, COCO polygons).
    public var polygon: [Point2D]?
    /// Every ring of a multi-part polygon (a COCO `segmentation` with several lists), in order; `polygon` is
    /// then nil. Nil for single outlines.
    public var polygonParts: [[Point2D]]?
    /// The segmentation's area in pixels as pycocotools computes it (`mask.area(COCO.annToRLE(ann))`), when
    /// the format has a segmentation (COCO polygons and RLE).
    public var area: Double?
    /// Marked difficult by the annotators (DOTA difficulty 1, VOC `difficult`).
    public var difficult: Bool
    /// To be ignored (VisDrone ignored regions, COCO `iscrowd`, DOTA difficulty 2 on split tiles).
    public var ignore: Bool
    /// Cut by the image border (VOC `truncated`).
    public var truncated: Bool

    public init(rawClass: String, box: AxisBox, rotated: RotatedBox? = nil, polygon: [Point2D]? = nil,
                difficult: Bool = false, ignore: Bool = false, truncated: Bool = false,
                polygonParts: [[Point2D]]? = nil, area: Double? = nil) {
        self.rawClass = rawClass
        self.box = box
        self.rotated = rotated
        self.polygon = polygon
        self.difficult = difficult
        self.ignore = ignore
        self.truncated = truncated
        self.polygonParts = polygonParts
        self.area = area
    }
}

/// One image with its annotations, in the common model.
public struct AnnotatedImage: Sendable, Hashable, Codable {
    /// The image path relative to the dataset root.
    public var relativePath: String
    /// Width in pixels, when known (from the annotation or the image header).
    public var width: Int?
    /// Height in pixels, when known.
    public var height: Int?
    /// The split (train, val, test, ...) when the dataset says.
    public var split: String?
    /// The objects on the image.
    public var objects: [AnnotatedObject]

    public init(relativePath: String, width: Int? = nil, height: Int? = nil, split: String? = nil,
                objects: [AnnotatedObject] = []) {
        self.relativePath = relativePath
        self.width = width
        self.height = height
        self.split = split
        self.objects = objects
    }
}
