/// A pixel position with integer coordinates, as OpenCV's `cv::Point`.
public struct PixelPoint: Sendable, Hashable, Codable {
    public var x: Int32
    public var y: Int32
    public init(x: Int32, y: Int32) {
        self.x = x
        self.y = y
    }
}

/// An axis-aligned box in pixel coordinates: `x`, `y` of the top-left corner, width and height.
public struct AxisBox: Sendable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
    /// The right edge, `x + width`.
    public var maxX: Double { x + width }
    /// The bottom edge, `y + height`.
    public var maxY: Double { y + height }
    /// The centre point.
    public var center: (x: Double, y: Double) { (x + width / 2, y + height / 2) }
    /// Width times height.
    public var area: Double { width * height }
}

/// A point with real coordinates, as OpenCV's `cv::Point2f` (held in double precision).
public struct Point2D: Sendable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// A rotated rectangle as OpenCV's `cv::RotatedRect`: centre, size and angle in degrees.
public struct RotatedBox: Sendable, Hashable, Codable {
    public var center: Point2D
    public var width: Double
    public var height: Double
    /// Rotation in degrees, in the convention of whoever made the box (see `minAreaRect`).
    public var angle: Double
    public init(center: Point2D, width: Double, height: Double, angle: Double) {
        self.center = center
        self.width = width
        self.height = height
        self.angle = angle
    }
}
