extension SuzukiScanner {
    /// OpenCV's `icvFetchContourEx`: follows one border from its start pixel, marking it with `mark`.
    mutating func trace(node: inout Node, mark: Int8) {
        let start = node.originY * paddedWidth + node.originX
        let rightMark = mark | Self.rightFlag
        var pointX = Int32(node.originX - 1), pointY = Int32(node.originY - 1)
        var minX = pointX, minY = pointY, maxX = pointX, maxY = pointY
        let searchEnd = node.isHole ? 0 : 4
        var direction = searchEnd
        var first = start
        repeat {
            direction = (direction - 1) & 7
            first = start + deltas[direction]
        } while image[first] == 0 && direction != searchEnd

        if direction == searchEnd {
            image[start] = rightMark
            node.points.append(PixelPoint(x: pointX, y: pointY))
        } else {
            var current = start
            var next = start
            var previousDirection = direction ^ 4
            while true {
                let lastDirection = direction
                direction = min(direction, 15)
                while direction < 15 {
                    direction += 1
                    next = current + deltas[direction & 7]
                    if image[next] != 0 { break }
                }
                direction &= 7
                if UInt(bitPattern: direction - 1) < UInt(lastDirection) {
                    image[current] = rightMark
                } else if image[current] == 1 {
                    image[current] = mark
                }
                if keepAllPoints || direction != previousDirection {
                    node.points.append(PixelPoint(x: pointX, y: pointY))
                }
                if direction != previousDirection {
                    // OpenCV only widens the box at turns; the extremes are always turns.
                    if pointX < minX { minX = pointX } else if pointX > maxX { maxX = pointX }
                    if pointY < minY { minY = pointY } else if pointY > maxY { maxY = pointY }
                }
                previousDirection = direction
                pointX += Self.moveX[direction]
                pointY += Self.moveY[direction]
                if next == start && current == first { break }
                current = next
                direction = (direction + 4) & 7
            }
        }
        // Stored in padded coordinates, as OpenCV subtracts its (-1, -1) offset again.
        node.rectX = Int(minX) + 1
        node.rectY = Int(minY) + 1
        node.rectWidth = Int(maxX - minX) + 1
        node.rectHeight = Int(maxY - minY) + 1
    }

    /// OpenCV's `icvTraceContour`: whether following the border from a start pixel reaches `end` as the
    /// contour last met in the raster scan (used to pick between parents that share a mark value).
    func traceReaches(startX: Int, startY: Int, end: Int, isHole: Bool) -> Bool {
        let start = startY * paddedWidth + startX
        let searchEnd = isHole ? 0 : 4
        var direction = searchEnd
        var first = start
        repeat {
            direction = (direction - 1) & 7
            first = start + deltas[direction]
        } while image[first] == 0 && direction != searchEnd
        var current = start
        guard direction != searchEnd else { return current == end }
        var next = start
        while true {
            direction = min(direction, 15)
            while direction < 15 {
                direction += 1
                next = current + deltas[direction & 7]
                if image[next] != 0 { break }
            }
            if current == end {
                if image[current] & Self.rightFlag == 0 { return true }
                var probe = direction
                while true {
                    probe = (probe - 1) & 7
                    if image[current + deltas[probe]] != 0 { break }
                    if probe == 0 { return true }
                }
            }
            if next == start && current == first { break }
            current = next
            direction = (direction + 4) & 7
        }
        return false
    }
}
