/// What M2B keeps and how it boxes each region.
public struct M2BOptions: Sendable, Hashable {
    /// Regions whose outer contour encloses less than this area (`cv2.contourArea` of the outer border, which
    /// runs through pixel centres, so a w x h block has (w-1)(h-1)) are dropped. 0 keeps every region.
    public var minimumArea: Double
    /// Class values that get no boxes (no-data, clutter, background). They still count as background.
    public var ignoredClasses: Set<UInt8>
    /// Also compute each region's `cv2.minAreaRect` (over its CHAIN_APPROX_SIMPLE outer contour).
    public var rotated: Bool
    /// The angle convention of the rotated boxes.
    public var rotatedConvention: MinAreaRectConvention
    /// Keep each region's outer contour (CHAIN_APPROX_SIMPLE points) for export.
    public var keepPolygons: Bool
    /// Also count each region's pixels (its 8-connected pixels of its class; a hole's pixels are not counted).
    public var countPixels: Bool

    public init(minimumArea: Double = 0, ignoredClasses: Set<UInt8> = [], rotated: Bool = false,
                rotatedConvention: MinAreaRectConvention = .current, keepPolygons: Bool = false,
                countPixels: Bool = false) {
        self.minimumArea = minimumArea
        self.ignoredClasses = ignoredClasses
        self.rotated = rotated
        self.rotatedConvention = rotatedConvention
        self.keepPolygons = keepPolygons
        self.countPixels = countPixels
    }
}

/// One connected region of one class, boxed.
public struct ClassRegion: Sendable, Hashable {
    /// The class value in the label mask.
    public var classValue: UInt8
    /// `cv2.boundingRect` of the region's outer contour.
    public var box: PixelRect
    /// `cv2.contourArea` of the outer contour (unsigned). It runs through pixel centres, so it understates the
    /// region's size: (w-1)(h-1) for a w x h block, 0 for a one-pixel-wide line. Use `pixelCount` for sizes.
    public var contourArea: Double
    /// How many pixels the region covers (its 8-connected pixels of its class, holes excluded), when
    /// `M2BOptions.countPixels` asked for it.
    public var pixelCount: Int?
    /// `cv2.minAreaRect` of the outer contour, when requested.
    public var rotatedBox: RotatedBox?
    /// The outer contour (CHAIN_APPROX_SIMPLE), when requested.
    public var polygon: [PixelPoint]?

    public init(classValue: UInt8, box: PixelRect, contourArea: Double, pixelCount: Int? = nil,
                rotatedBox: RotatedBox? = nil, polygon: [PixelPoint]? = nil) {
        self.classValue = classValue
        self.box = box
        self.contourArea = contourArea
        self.pixelCount = pixelCount
        self.rotatedBox = rotatedBox
        self.polygon = polygon
    }
}

/// Masks to boxes (RemoteCLIP's M2B): each class's connected regions become boxes.
///
/// The result is exactly what, for each class value `c`, `cv2.findContours((mask == c).astype(uint8),
/// RETR_EXTERNAL, ...)` followed by `cv2.boundingRect` per contour gives: 8-connected regions, a region lying inside
/// a hole of another region of the same class yields no box of its own, and each class's boxes come in OpenCV's
/// contour order. All classes are traced in one raster pass over the mask.
public enum M2B {
    /// The regions of every class in `mask`, classes ascending, each class's regions in OpenCV's order.
    public static func boxes(in mask: LabelMask, options: M2BOptions = M2BOptions()) -> [ClassRegion] {
        var tracer = MultiClassTracer(mask: mask, ignored: options.ignoredClasses,
                                      keepPoints: options.rotated || options.keepPolygons)
        tracer.scan()
        var visited = options.countPixels ? [Bool](repeating: false, count: tracer.labels.count) : []
        var regions: [ClassRegion] = []
        for classValue in 0..<256 {
            // OpenCV prepends each new contour to the root's children, so the output is reverse discovery order.
            for traced in tracer.regions[classValue].reversed() where traced.area >= options.minimumArea {
                var region = ClassRegion(classValue: UInt8(classValue), box: traced.box, contourArea: traced.area)
                if options.rotated {
                    region.rotatedBox = MinAreaRect.compute(traced.points, convention: options.rotatedConvention)
                }
                if options.keepPolygons { region.polygon = traced.points }
                if options.countPixels {
                    region.pixelCount = tracer.regionPixelCount(from: traced.start, visited: &visited)
                }
                regions.append(region)
            }
        }
        return regions
    }

    /// The boxes of the regions of one class value only (the others are background).
    public static func boxes(in mask: LabelMask, classValue: UInt8,
                             options: M2BOptions = M2BOptions()) -> [ClassRegion] {
        var only = options
        only.ignoredClasses = Set((0...255).map { UInt8($0) }).subtracting([classValue])
        return boxes(in: mask, options: only)
    }
}
