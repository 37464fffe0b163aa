/// An integer rectangle as OpenCV's `cv::Rect`: top-left corner, width and height in pixels.
///
/// `cv2.boundingRect` semantics: a region spanning columns `x...x+width-1` has width `max - min + 1`.
public struct PixelRect: Sendable, Hashable, Codable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// `[x, y, width, height]`, as OpenCV prints it.
    public var openCVArray: [Int] { [x, y, width, height] }

    /// The same rectangle as an ``AxisBox`` (pixel edges: covers `x ..< x + width`).
    public var axisBox: AxisBox {
        AxisBox(x: Double(x), y: Double(y), width: Double(width), height: Double(height))
    }

    /// Width times height in pixels.
    public var area: Int { width * height }
}
