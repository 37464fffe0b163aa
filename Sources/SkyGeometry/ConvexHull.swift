/// `cv2.convexHull` on integer points: Sklansky's scan over the points sorted by (x, y, input order), with
/// OpenCV's orientation handling and its cyclic shift of the index list.
public enum ConvexHull {
    /// The indices of the hull points in `points`, as `cv2.convexHull(points, clockwise:, returnPoints=False)`.
    ///
    /// `clockwise` is OpenCV's flag (y pointing down; `false` is what `minAreaRect` uses).
    public static func indices(of points: [PixelPoint], clockwise: Bool = false) -> [Int] {
        let total = points.count
        guard total > 0 else { return [] }
        let order = points.indices.sorted { a, b in
            let p = points[a], q = points[b]
            if p.x != q.x { return p.x < q.x }
            if p.y != q.y { return p.y < q.y }
            return a < b
        }
        let sorted = order.map { points[$0] }
        var minYIndex = 0, maxYIndex = 0
        for index in 1..<total {
            let y = sorted[index].y
            if sorted[minYIndex].y > y { minYIndex = index }
            if sorted[maxYIndex].y < y { maxYIndex = index }
        }
        // OpenCV writes index 0 of the input here, not of the sorted order.
        if sorted[0] == sorted[total - 1] { return [0] }

        var hull: [Int] = []
        var topLeft = sklansky(sorted, start: 0, end: maxYIndex, nsign: -1, sign2: 1)
        var topRight = sklansky(sorted, start: total - 1, end: maxYIndex, nsign: -1, sign2: -1)
        if !clockwise { swap(&topLeft, &topRight) }
        for i in 0..<max(0, topLeft.count - 1) { hull.append(order[topLeft[i]]) }
        for i in stride(from: topRight.count - 1, to: 0, by: -1) { hull.append(order[topRight[i]]) }
        let stopIndex = topRight.count > 2 ? topRight[1] : topLeft.count > 2 ? topLeft[topLeft.count - 2] : -1

        var bottomLeft = sklansky(sorted, start: 0, end: minYIndex, nsign: 1, sign2: -1)
        var bottomRight = sklansky(sorted, start: total - 1, end: minYIndex, nsign: 1, sign2: 1)
        if clockwise { swap(&bottomLeft, &bottomRight) }
        var bottomLeftCount = bottomLeft.count, bottomRightCount = bottomRight.count
        if stopIndex >= 0 {
            let checkIndex = bottomLeftCount > 2 ? bottomLeft[1]
                : bottomLeftCount + bottomRightCount > 2 ? bottomRight[2 - bottomLeftCount] : -1
            if checkIndex == stopIndex || (checkIndex >= 0 && sorted[checkIndex] == sorted[stopIndex]) {
                // All points on one line: the bottom chain mirrors the top one.
                bottomLeftCount = min(bottomLeftCount, 2)
                bottomRightCount = min(bottomRightCount, 2)
            }
        }
        for i in 0..<max(0, bottomLeftCount - 1) { hull.append(order[bottomLeft[i]]) }
        for i in stride(from: bottomRightCount - 1, to: 0, by: -1) { hull.append(order[bottomRight[i]]) }
        return cyclicallyShifted(hull)
    }

    /// The hull points themselves, in hull order.
    public static func points(of points: [PixelPoint], clockwise: Bool = false) -> [PixelPoint] {
        indices(of: points, clockwise: clockwise).map { points[$0] }
    }

    /// OpenCV's `Sklansky_` on the sorted points from `start` towards `end`; returns indices into `sorted`.
    private static func sklansky(_ sorted: [PixelPoint], start: Int, end: Int, nsign: Int, sign2: Int) -> [Int] {
        if start == end || sorted[start] == sorted[end] { return [start] }
        let step = end > start ? 1 : -1
        var previous = start, current = start + step, next = current + step
        // The stack may be read one past its top, as in OpenCV; keep spare room.
        var stack = [previous, current, next]
        var size = 3
        let afterEnd = end + step
        func put(_ value: Int, at index: Int) {
            while stack.count <= index { stack.append(0) }
            stack[index] = value
        }
        while next != afterEnd {
            let by = Int64(sorted[next].y) - Int64(sorted[current].y)
            if by.signum() != Int64(nsign) {
                let ax = Int64(sorted[current].x) - Int64(sorted[previous].x)
                let ay = Int64(sorted[current].y) - Int64(sorted[previous].y)
                let bx = Int64(sorted[next].x) - Int64(sorted[current].x)
                let convexity = ay * bx - ax * by
                if convexity.signum() == Int64(sign2) && (ax != 0 || ay != 0) {
                    previous = current
                    current = next
                    next += step
                    put(next, at: size)
                    size += 1
                } else if previous == start {
                    current = next
                    put(current, at: 1)
                    next += step
                    put(next, at: 2)
                } else {
                    put(next, at: size - 2)
                    current = previous
                    previous = stack[size - 4]
                    size -= 1
                }
            } else {
                next += step
                put(next, at: size - 1)
            }
        }
        return Array(stack[0..<(size - 1)])
    }

    /// OpenCV's last step: rotate the index list so that it ascends or descends when a rotation can do that.
    private static func cyclicallyShifted(_ hull: [Int]) -> [Int] {
        let count = hull.count
        guard count >= 3 else { return hull }
        var minIndex = 0, maxIndex = 0, ascents = 0
        for i in 1..<count {
            let value = hull[i]
            ascents += hull[i - 1] < value ? 1 : 0
            if ascents > 1 && ascents <= i - 2 { break }
            if value < hull[minIndex] { minIndex = i }
            if value > hull[maxIndex] { maxIndex = i }
        }
        let distance = abs(maxIndex - minIndex)
        guard (distance == 1 || distance == count - 1) && (ascents <= 1 || ascents >= count - 2) else { return hull }
        let ascending = (maxIndex + 1) % count == minIndex
        let first = ascending ? minIndex : maxIndex
        guard first > 0 else { return hull }
        var shifted: [Int] = []
        var j = first
        for i in 0..<count {
            let value = hull[j]
            shifted.append(value)
            let nextJ = j + 1 < count ? j + 1 : 0
            if i < count - 1 && ascending != (value < hull[nextJ]) { return hull }
            j = nextJ
        }
        return shifted
    }
}
