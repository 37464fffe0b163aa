/// Traces the outer borders of every class of a label mask in one raster pass.
///
/// It runs OpenCV's `RETR_EXTERNAL` scanner for all classes at once. That is exact because OpenCV only writes
/// marks onto foreground pixels, and every pixel belongs to one class: the per-class binary images' marks never
/// overlap, so one shared mark plane serves them all. At each change of (label, mark) along a row, the two
/// classes involved see exactly the transitions OpenCV's per-class scan would see; the others see none.
struct MultiClassTracer {
    /// One traced outer border.
    struct TracedRegion {
        var box: PixelRect
        var area: Double
        var points: [PixelPoint]
    }

    let width: Int
    let height: Int
    let stride: Int
    /// Labels with a one-pixel frame (frame value irrelevant: its mark is 0).
    var labels: [UInt8]
    /// 0 on the frame, 1 on untouched pixels, 2 or -126 on traced border pixels (OpenCV's marks).
    var marks: [Int8]
    var traced: [Bool]
    let keepPoints: Bool
    var regions: [[TracedRegion]] = Array(repeating: [], count: 256)

    init(mask: LabelMask, ignored: Set<UInt8>, keepPoints: Bool) {
        width = mask.width
        height = mask.height
        stride = width + 2
        self.keepPoints = keepPoints
        let paddedCount = (mask.width + 2) * (mask.height + 2), rowStride = mask.width + 2
        var paddedLabels = [UInt8](repeating: 0, count: paddedCount)
        var paddedMarks = [Int8](repeating: 0, count: paddedCount)
        mask.values.withUnsafeBufferPointer { source in
            paddedLabels.withUnsafeMutableBufferPointer { target in
                paddedMarks.withUnsafeMutableBufferPointer { mark in
                    guard let from = source.baseAddress, let to = target.baseAddress, let marks = mark.baseAddress,
                          mask.width > 0 else { return }
                    for y in 0..<mask.height {
                        let row = (y + 1) * rowStride + 1
                        (to + row).update(from: from + y * mask.width, count: mask.width)
                        (marks + row).update(repeating: 1, count: mask.width)
                    }
                }
            }
        }
        labels = paddedLabels
        marks = paddedMarks
        traced = (0..<256).map { !ignored.contains(UInt8($0)) }
    }

    mutating func scan() {
        guard width > 0, height > 0 else { return }
        let stride = self.stride, width = self.width, height = self.height, keepPoints = self.keepPoints
        var found: [[TracedRegion]] = Array(repeating: [], count: 256)
        // Per class: the column of the last marked run met on the current row (OpenCV's lnbd), tagged by row.
        var lastX = [Int](repeating: 0, count: 256)
        var lastRow = [Int](repeating: -1, count: 256)
        labels.withUnsafeBufferPointer { labels in
            marks.withUnsafeMutableBufferPointer { marks in
                guard let labelBase = labels.baseAddress, let markBase = marks.baseAddress else { return }
                for y in 1...height {
                    let row = y * stride
                    var x = 1
                    while x <= width {
                        let here = row + x
                        // Skip 8 pixels at a time while nothing changes along the row (the common case).
                        if x + 8 <= width + 1
                            && UnsafeRawPointer(labelBase + here).loadUnaligned(as: UInt64.self)
                                == UnsafeRawPointer(labelBase + here - 1).loadUnaligned(as: UInt64.self)
                            && UnsafeRawPointer(markBase + here).loadUnaligned(as: UInt64.self)
                                == UnsafeRawPointer(markBase + here - 1).loadUnaligned(as: UInt64.self) {
                            x += 8
                            continue
                        }
                        let label = labels[here], mark = marks[here]
                        let leftLabel = labels[here - 1], leftMark = marks[here - 1]
                        if label == leftLabel && mark == leftMark {
                            x += 1
                            continue
                        }
                        let classValue = Int(label)
                        if label != leftLabel || leftMark == 0 {
                            // The left class's run ends here: OpenCV's hole test records a positive mark.
                            if leftMark >= 2 {
                                lastX[Int(leftLabel)] = x - 1
                                lastRow[Int(leftLabel)] = y
                            }
                            if mark == 1 {
                                if traced[classValue] {
                                    let last = lastRow[classValue] == y ? lastX[classValue] : 0
                                    if marks[row + last] <= 0 {
                                        found[classValue].append(Self.traceOuter(
                                            start: here, x: x - 1, y: y - 1, label: label, stride: stride,
                                            labels: labels, marks: marks, keepPoints: keepPoints))
                                        lastX[classValue] = x
                                        lastRow[classValue] = y
                                    }
                                }
                            } else if mark & -2 != 0 {
                                lastX[classValue] = x
                                lastRow[classValue] = y
                            }
                        } else if mark & -2 != 0 {
                            lastX[classValue] = x
                            lastRow[classValue] = y
                        }
                        x += 1
                    }
                }
            }
        }
        regions = found
    }

    /// OpenCV's `icvFetchContourEx` for an outer border of `label` with mark 2, keeping the bounding box, the
    /// shoelace area and optionally the CHAIN_APPROX_SIMPLE points.
    static func traceOuter(start: Int, x: Int, y: Int, label: UInt8, stride: Int,
                           labels: UnsafeBufferPointer<UInt8>, marks: UnsafeMutableBufferPointer<Int8>,
                           keepPoints: Bool) -> TracedRegion {
        let deltas = (1, 1 - stride, -stride, -1 - stride, -1, -1 + stride, stride, 1 + stride)
        @inline(__always) func delta(_ direction: Int) -> Int {
            switch direction & 7 {
            case 0: deltas.0
            case 1: deltas.1
            case 2: deltas.2
            case 3: deltas.3
            case 4: deltas.4
            case 5: deltas.5
            case 6: deltas.6
            default: deltas.7
            }
        }
        @inline(__always) func isForeground(_ index: Int) -> Bool {
            labels[index] == label && marks[index] != 0
        }
        var pointX = x, pointY = y
        var minX = x, maxX = x, minY = y, maxY = y
        var points: [PixelPoint] = []
        var doubleArea = 0
        var direction = 4
        var first = start
        repeat {
            direction = (direction - 1) & 7
            first = start + delta(direction)
        } while !isForeground(first) && direction != 4
        if direction == 4 {
            marks[start] = -126
            if keepPoints { points.append(PixelPoint(x: Int32(x), y: Int32(y))) }
            return TracedRegion(box: PixelRect(x: x, y: y, width: 1, height: 1), area: 0, points: points)
        }
        var current = start, next = start
        var previousDirection = direction ^ 4
        // Shoelace over the emitted SIMPLE vertices: the turning points carry the whole area.
        var lastVertexX = x, lastVertexY = y
        while true {
            let lastDirection = direction
            while direction < 15 {
                direction += 1
                next = current + delta(direction)
                if isForeground(next) { break }
            }
            direction &= 7
            if UInt(bitPattern: direction - 1) < UInt(lastDirection) {
                marks[current] = -126
            } else if marks[current] == 1 {
                marks[current] = 2
            }
            if direction != previousDirection {
                if keepPoints { points.append(PixelPoint(x: Int32(pointX), y: Int32(pointY))) }
                doubleArea += lastVertexX * pointY - lastVertexY * pointX
                lastVertexX = pointX
                lastVertexY = pointY
                if pointX < minX { minX = pointX } else if pointX > maxX { maxX = pointX }
                if pointY < minY { minY = pointY } else if pointY > maxY { maxY = pointY }
            }
            previousDirection = direction
            pointX += direction == 0 || direction == 1 || direction == 7 ? 1 : (direction >= 3 && direction <= 5 ? -1 : 0)
            pointY += direction >= 1 && direction <= 3 ? -1 : (direction >= 5 ? 1 : 0)
            if next == start && current == first { break }
            current = next
            direction = (direction + 4) & 7
        }
        doubleArea += lastVertexX * y - lastVertexY * x
        return TracedRegion(box: PixelRect(x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1),
                            area: Double(abs(doubleArea)) * 0.5, points: points)
    }
}
