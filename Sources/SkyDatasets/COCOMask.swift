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
        // Dense points along every edge.
        var u: [Int] = [], v: [Int] = []
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
                u.append(xs)
                v.append(Int(Int32.min))
            } else if dx >= dy {
                let s = Double(ye - ys) / Double(dx)
                for d in 0...dx {
                    let t = flip ? dx - d : d
                    u.append(t + xs)
                    v.append(Int(Double(ys) + s * Double(t) + 0.5))
                }
            } else {
                let s = Double(xe - xs) / Double(dy)
                for d in 0...dy {
                    let t = flip ? dy - d : d
                    v.append(t + ys)
                    u.append(Int(Double(xs) + s * Double(t) + 0.5))
                }
            }
        }
        // Boundary crossings of pixel-centre columns, downsampled.
        var starts: [Int] = []
        for j in 1..<max(u.count, 1) where u[j] != u[j - 1] {
            var xd = Double(u[j] < u[j - 1] ? u[j] : u[j] - 1)
            xd = (xd + 0.5) / scale - 0.5
            if xd.rounded(.down) != xd || xd < 0 || xd > Double(width - 1) { continue }
            var yd = Double(v[j] < v[j - 1] ? v[j] : v[j - 1])
            yd = (yd + 0.5) / scale - 0.5
            if yd < 0 { yd = 0 } else if yd > Double(height) { yd = Double(height) }
            yd = yd.rounded(.up)
            starts.append(Int(xd) * height + Int(yd))
        }
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
