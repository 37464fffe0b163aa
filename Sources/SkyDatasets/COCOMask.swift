import Foundation

/// pycocotools' mask API (`common/maskApi.c`) on run-length counts, for the area and box of a segmentation
/// exactly as `COCO.annToRLE` + `mask.area` / `mask.toBbox` give them: polygons rasterised by `rleFrPoly`
/// (points scaled by 5 and rounded, edges walked, boundary crossings sampled at pixel centres), the parts of
/// a multi-part polygon united by `rleMerge`, areas by `rleArea`. Counts are column-major runs starting
/// with background, as ``COCORLE`` decodes them.
public enum COCOMask {
    /// The largest coordinate magnitude rasterised: pycocotools walks every upsampled boundary point, so a
    /// polygon far outside any image would cost memory in proportion to its distance.
    public static let coordinateLimit = 1_000_000.0

    /// `rleFrPoly`: the runs of polygon `xy` (`[x1, y1, x2, y2, ...]`, at least 3 points) on an image of
    /// `height` x `width`; nil when a coordinate is beyond ``coordinateLimit``.
    public static func polygon(_ xy: [Double], height: Int, width: Int) -> [Int]? {
        let k = xy.count / 2
        guard k > 0, xy.allSatisfy({ abs($0) <= coordinateLimit }) else { return nil }
        let scale = 5.0
        // C's (int) cast truncates toward zero, as Int(_:) does.
        var x = (0..<k).map { Int(scale * xy[$0 * 2] + 0.5) }
        var y = (0..<k).map { Int(scale * xy[$0 * 2 + 1] + 0.5) }
        x.append(x[0])
        y.append(y[0])
        // pycocotools walks dense points along every edge into two arrays, then takes the points where the
        // column changes as boundary crossings of pixel-centre columns. The same points are walked here in the
        // same order without storing them: each is compared with the one before as it is made.
        var walker = BoundaryWalker(height: height, width: width)
        var perimeter = 0
        for j in 0..<k { perimeter += max(abs(x[j + 1] - x[j]), abs(y[j + 1] - y[j])) }
        walker.starts.reserveCapacity(perimeter / 5 + k + 2)
        for j in 0..<k {
            var xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1]
            let dx = abs(xe - xs), dy = abs(ys - ye)
            let flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye)
            if flip {
                swap(&xs, &xe)
                swap(&ys, &ye)
            }
            if dx == 0 && dy == 0 {
                // A repeated point: C divides 0 by 0 and casts NaN to int, which x86 (pycocotools' wheels)
                // turns into INT_MIN.
                walker.visit(xs, Int(Int32.min))
            } else if dx >= dy {
                // Every step moves one column, so every point after the first is a crossing: only those whose
                // smaller column is 2 (mod 5) can count (see BoundaryWalker), so only they are visited.
                let s = Double(ye - ys) / Double(dx)
                func row(_ t: Int) -> Int { Int(Double(ys) + s * Double(t) + 0.5) }
                let first = flip ? dx : 0, last = flip ? 0 : dx
                walker.visit(first + xs, row(first))
                let residue = (((flip ? xs + dx - 2 : 3 - xs) % 5) + 5) % 5
                for d in stride(from: residue == 0 ? 5 : residue, through: dx, by: 5) {
                    let t = flip ? dx - d : d, before = flip ? t + 1 : t - 1
                    walker.crossing(column: min(t, before) + xs, row: min(row(t), row(before)))
                }
                walker.moved(to: last + xs, row(last))
            } else if dx == 0 {
                // A vertical edge stays in one column: only its first point can cross.
                walker.visit(xs, flip ? dy + ys : ys)
                walker.moved(to: xs, flip ? ys : dy + ys)
            } else {
                let s = Double(xe - xs) / Double(dy)
                for d in 0...dy {
                    let t = flip ? dy - d : d
                    walker.visit(Int(Double(xs) + s * Double(t) + 0.5), t + ys)
                }
            }
        }
        var starts = walker.starts
        starts.append(height * width)
        starts.sort()
        var previous = 0
        for index in starts.indices {
            let value = starts[index]
            starts[index] -= previous
            previous = value
        }
        var counts: [Int] = [starts[0]]
        var j = 1
        while j < starts.count {
            if starts[j] > 0 {
                counts.append(starts[j])
                j += 1
            } else {
                j += 1
                if j < starts.count {
                    counts[counts.count - 1] += starts[j]
                    j += 1
                }
            }
        }
        return counts
    }

    /// The downsampling of `rleFrPoly`'s dense boundary points, one point at a time.
    struct BoundaryWalker {
        let height: Int, maxX: Int, maxY: Double
        var starts: [Int] = []
        var previousU = 0, previousV = 0, first = true

        init(height: Int, width: Int) {
            self.height = height
            maxX = width - 1
            maxY = Double(height)
        }

        /// pycocotools: where the column changes, `xd = (u' + 0.5) / 5 - 0.5` with u' the smaller column (or
        /// u - 1) must be a whole column inside the image; `yd` is the smaller row, scaled back, clipped to
        /// [0, height] and rounded up. `xd` is whole exactly when u' = 2 (mod 5) (the division is exact then and
        /// at least a fifth away from a whole number otherwise), which is tested on integers first.
        @inline(__always)
        mutating func visit(_ u: Int, _ v: Int) {
            defer { moved(to: u, v) }
            guard !first, u != previousU else { return }
            crossing(column: u < previousU ? u : u - 1, row: v < previousV ? v : previousV)
        }

        /// A change of column between two consecutive points: `column` the smaller, `row` the smaller row.
        @inline(__always)
        mutating func crossing(column: Int, row: Int) {
            let shifted = column - 2
            guard shifted >= 0, shifted % 5 == 0 else { return }
            let x = shifted / 5
            guard x <= maxX else { return }
            var yd = Double(row)
            yd = (yd + 0.5) / 5 - 0.5
            if yd < 0 { yd = 0 } else if yd > maxY { yd = maxY }
            starts.append(x * height + Int(yd.rounded(.up)))
        }

        /// The last point walked, without visiting the ones before it on the edge.
        @inline(__always)
        mutating func moved(to u: Int, _ v: Int) {
            previousU = u
            previousV = v
            first = false
        }
    }

    /// `rleMerge` with `intersect = 0`: the union of masks of the same size.
    public static func union(_ masks: [[Int]]) -> [Int] {
        guard var merged = masks.first else { return [] }
        for other in masks.dropFirst() {
            merged = union(merged, other)
        }
        return merged
    }

    static func union(_ a: [Int], _ b: [Int]) -> [Int] {
        guard !a.isEmpty, !b.isEmpty else { return a.isEmpty ? b : a }
        var result: [Int] = []
        var ca = a[0], cb = b[0]
        var va = false, vb = false, value = false
        var ia = 1, ib = 1
        var run = 0
        var remaining = 1
        while remaining > 0 {
            let step = min(ca, cb)
            run += step
            remaining = 0
            ca -= step
            if ca == 0 && ia < a.count { ca = a[ia]; ia += 1; va.toggle() }
            remaining += ca
            cb -= step
            if cb == 0 && ib < b.count { cb = b[ib]; ib += 1; vb.toggle() }
            remaining += cb
            let previous = value
            value = va || vb
            if value != previous || remaining == 0 {
                result.append(run)
                run = 0
            }
        }
        return result
    }

    /// `rleArea`: the number of foreground pixels.
    public static func area(_ counts: [Int]) -> Int {
        stride(from: 1, to: counts.count, by: 2).reduce(0) { $0 + counts[$1] }
    }
}
