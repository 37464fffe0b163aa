/// OpenCV's simple shape measures on integer point sets.
public enum ShapeMeasures {
    /// `cv2.boundingRect(points)`: the smallest rectangle holding every point, width = max - min + 1.
    /// An empty set gives an empty rectangle at the origin.
    public static func boundingRect(_ points: [PixelPoint]) -> PixelRect {
        guard let first = points.first else { return PixelRect(x: 0, y: 0, width: 0, height: 0) }
        var minX = first.x, maxX = first.x, minY = first.y, maxY = first.y
        for point in points.dropFirst() {
            minX = min(minX, point.x)
            maxX = max(maxX, point.x)
            minY = min(minY, point.y)
            maxY = max(maxY, point.y)
        }
        return PixelRect(x: Int(minX), y: Int(minY), width: Int(maxX - minX) + 1, height: Int(maxY - minY) + 1)
    }

    /// `cv2.contourArea(points, oriented)`: the shoelace area of the polygon through the points.
    ///
    /// Oriented, OpenCV's outer contours (traced counter-clockwise on screen) are negative and holes positive.
    public static func contourArea(_ points: [PixelPoint], oriented: Bool = false) -> Double {
        guard let last = points.last else { return 0 }
        var previousX = Double(Float(last.x)), previousY = Double(Float(last.y))
        var sum = 0.0
        for point in points {
            let x = Double(Float(point.x)), y = Double(Float(point.y))
            sum += previousX * y - previousY * x
            previousX = x
            previousY = y
        }
        sum *= 0.5
        return oriented ? sum : abs(sum)
    }
}
