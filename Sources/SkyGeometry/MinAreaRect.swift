import Foundation

/// Which OpenCV release's `minAreaRect` angle convention to follow.
public enum MinAreaRectConvention: String, Sendable, Hashable, CaseIterable, Codable {
    /// OpenCV after PR #28051 (4.13+, 5.x): angle in [-90, 0).
    case current
    /// OpenCV 4.5.1 to 4.12: angle in (0, 90] for three or more hull points.
    case legacy
}

/// `cv2.minAreaRect` and `cv2.boxPoints`, in OpenCV's float32 arithmetic.
public enum MinAreaRect {
    /// The minimum-area rotated rectangle around `points`, as `cv2.minAreaRect` of the chosen convention.
    ///
    /// The convex hull (counter-clockwise as OpenCV orders it) goes through rotating calipers in float32;
    /// centre, size and angle are float32 values widened to `Double`.
    public static func compute(_ points: [PixelPoint], convention: MinAreaRectConvention = .current) -> RotatedBox {
        let hull = ConvexHull.points(of: points, clockwise: false).map { (Float($0.x), Float($0.y)) }
        var centerX: Float = 0, centerY: Float = 0, width: Float = 0, height: Float = 0, angle: Float = 0
        var v1 = (x: Float(0), y: Float(0)), v2 = (x: Float(0), y: Float(0))
        if hull.count > 2 {
            let out = calipers(hull)
            v1 = out.v1
            v2 = out.v2
            centerX = out.corner.x + (v1.x + v2.x) * 0.5
            centerY = out.corner.y + (v1.y + v2.y) * 0.5
            width = Float((Double(v1.x) * Double(v1.x) + Double(v1.y) * Double(v1.y)).squareRoot())
            height = Float((Double(v2.x) * Double(v2.x) + Double(v2.y) * Double(v2.y)).squareRoot())
            angle = Float(atan2(Double(v1.y), Double(v1.x)))
        } else if hull.count == 2 {
            centerX = (hull[0].0 + hull[1].0) * 0.5
            centerY = (hull[0].1 + hull[1].1) * 0.5
            let dx = Double(hull[1].0 - hull[0].0), dy = Double(hull[1].1 - hull[0].1)
            width = Float((dx * dx + dy * dy).squareRoot())
            angle = Float(atan2(dy, dx))
        } else if hull.count == 1 {
            centerX = hull[0].0
            centerY = hull[0].1
        }
        // OpenCV: (float)(box.angle*180/CV_PI), where box.angle*180 is a float product.
        var degrees = Float(Double(angle * 180) / Double.pi)
        if convention == .current {
            if hull.count > 2 {
                if v1.x == 0 && v1.y > 0 {
                    degrees = -90
                } else {
                    swap(&width, &height)
                    degrees = Float(-atan2(Double(v1.x), Double(v1.y)) * 180 / Double.pi)
                }
            } else {
                // Two points or one: turn by quarter turns into [-90, 0), swapping the sides each time; OpenCV 5
                // does this in double and rounds once (checked against cv2 5.0 on the fixture's two-point sets).
                var exact = 0.0
                if hull.count == 2 {
                    exact = atan2(Double(hull[1].1 - hull[0].1), Double(hull[1].0 - hull[0].0)) * 180 / Double.pi
                }
                while exact >= 0 {
                    exact -= 90
                    swap(&width, &height)
                }
                while exact < -90 {
                    exact += 90
                    swap(&width, &height)
                }
                degrees = Float(exact)
            }
        }
        return RotatedBox(center: Point2D(x: Double(centerX), y: Double(centerY)), width: Double(width),
                          height: Double(height), angle: Double(degrees))
    }

    /// `cv2.boxPoints(box)`: the four corners, float32, in OpenCV's order.
    ///
    /// OpenCV up to 4.12 derives the last two corners by mirroring the first two through the centre; OpenCV 5
    /// computes each corner directly, which differs in the last bits.
    public static func boxPoints(_ box: RotatedBox, convention: MinAreaRectConvention = .current) -> [Point2D] {
        let radians = Double(Float(box.angle)) * Double.pi / 180
        let b = Float(cos(radians)) * 0.5, a = Float(sin(radians)) * 0.5
        let cx = Float(box.center.x), cy = Float(box.center.y), w = Float(box.width), h = Float(box.height)
        let p0 = (cx - a * h - b * w, cy + b * h - a * w)
        let p1 = (cx + a * h - b * w, cy - b * h - a * w)
        let p2, p3: (Float, Float)
        switch convention {
        case .legacy:
            p2 = (2 * cx - p0.0, 2 * cy - p0.1)
            p3 = (2 * cx - p1.0, 2 * cy - p1.1)
        case .current:
            p2 = (cx + a * h + b * w, cy - b * h + a * w)
            p3 = (cx - a * h + b * w, cy + b * h + a * w)
        }
        return [p0, p1, p2, p3].map { Point2D(x: Double($0.0), y: Double($0.1)) }
    }

    /// OpenCV's `rotatingCalipers(..., CALIPERS_MINAREARECT)` (4.5.4+): the corner and the two side vectors of
    /// the smallest rectangle; ties keep the last minimum.
    private static func calipers(_ points: [(Float, Float)])
        -> (corner: (x: Float, y: Float), v1: (x: Float, y: Float), v2: (x: Float, y: Float)) {
        let n = points.count
        var vectX = [Float](repeating: 0, count: n), vectY = [Float](repeating: 0, count: n)
        var inverseLength = [Float](repeating: 0, count: n)
        var left = 0, bottom = 0, right = 0, top = 0
        var leftX = points[0].0, rightX = points[0].0, topY = points[0].1, bottomY = points[0].1
        for i in 0..<n {
            let p0 = points[i]
            if p0.0 < leftX { leftX = p0.0; left = i }
            if p0.0 > rightX { rightX = p0.0; right = i }
            if p0.1 > topY { topY = p0.1; top = i }
            if p0.1 < bottomY { bottomY = p0.1; bottom = i }
            let p1 = points[i + 1 < n ? i + 1 : 0]
            let dx = Double(p1.0) - Double(p0.0), dy = Double(p1.1) - Double(p0.1)
            vectX[i] = Float(dx)
            vectY[i] = Float(dy)
            inverseLength[i] = Float(1 / (dx * dx + dy * dy).squareRoot())
        }
        var orientation: Float = 0
        var ax = Double(vectX[n - 1]), ay = Double(vectY[n - 1])
        for i in 0..<n {
            let bx = Double(vectX[i]), by = Double(vectY[i])
            let convexity = ax * by - ay * bx
            if convexity != 0 {
                orientation = convexity > 0 ? 1 : -1
                break
            }
            ax = bx
            ay = by
        }
        var baseA = orientation, baseB: Float = 0
        var seq = [bottom, right, top, left]
        var minArea = Float.greatestFiniteMagnitude
        var best = (left: 0, a: Float(0), width: Float(0), b: Float(0), height: Float(0), bottom: 0)
        for _ in 0..<n {
            let rotated: [(Float, Float)] = [
                (vectX[seq[0]], vectY[seq[0]]),
                (vectY[seq[1]], -vectX[seq[1]]),
                (-vectX[seq[2]], -vectY[seq[2]]),
                (-vectY[seq[3]], vectX[seq[3]]),
            ]
            var main = 0
            for i in 1..<4 {
                // firstVecIsRight(rotated[i], rotated[main]): rotate90CW(first) . second < 0
                let turned = (rotated[i].1, -rotated[i].0)
                if turned.0 * rotated[main].0 + turned.1 * rotated[main].1 < 0 { main = i }
            }
            let index = seq[main]
            let leadX = vectX[index] * inverseLength[index], leadY = vectY[index] * inverseLength[index]
            switch main {
            case 0: baseA = leadX; baseB = leadY
            case 1: baseA = leadY; baseB = -leadX
            case 2: baseA = -leadX; baseB = -leadY
            default: baseA = -leadY; baseB = leadX
            }
            seq[main] = seq[main] + 1 == n ? 0 : seq[main] + 1
            var dx = points[seq[1]].0 - points[seq[3]].0
            var dy = points[seq[1]].1 - points[seq[3]].1
            let width = dx * baseA + dy * baseB
            dx = points[seq[2]].0 - points[seq[0]].0
            dy = points[seq[2]].1 - points[seq[0]].1
            let height = -dx * baseB + dy * baseA
            let area = width * height
            if area <= minArea {
                minArea = area
                best = (seq[3], baseA, width, baseB, height, seq[0])
            }
        }
        let a1 = best.a, b1 = best.b, a2 = -best.b, b2 = best.a
        let c1 = a1 * points[best.left].0 + points[best.left].1 * b1
        let c2 = a2 * points[best.bottom].0 + points[best.bottom].1 * b2
        let inverseDeterminant = 1 / (a1 * b2 - a2 * b1)
        let px = (c1 * b2 - c2 * b1) * inverseDeterminant
        let py = (a1 * c2 - a2 * c1) * inverseDeterminant
        return ((px, py), (a1 * best.width, b1 * best.width), (a2 * best.height, b2 * best.height))
    }
}
