import SkyGeometry

/// COCO run-length encoded masks: column-major runs that start with background, as pycocotools stores them.
public enum COCORLE {
    /// Decodes pycocotools' compressed counts string (`rleFrString`): 5-bit groups in characters from '0',
    /// a continuation bit 0x20, a sign bit 0x10 on the last group, and counts after the second stored as
    /// differences from the count two places before.
    public static func decode(_ string: String) -> [Int]? {
        var counts: [Int] = []
        var iterator = string.utf8.makeIterator()
        var pending = iterator.next()
        while let first = pending {
            var value = 0
            var shift = 0
            var more = true
            var byte: UInt8? = first
            while more {
                guard let current = byte, current >= 48 else { return nil }
                let group = Int(current - 48)
                value |= (group & 0x1F) << shift
                more = group & 0x20 != 0
                shift += 5
                if !more && group & 0x10 != 0 { value |= -1 << shift }
                guard shift <= 60 else { return nil }
                byte = more ? iterator.next() : nil
            }
            if counts.count > 2 { value += counts[counts.count - 2] }
            guard value >= 0 else { return nil }
            counts.append(value)
            pending = iterator.next()
        }
        return counts
    }

    /// The box around the mask, exactly as pycocotools `toBbox` (`rleToBbox`) computes it:
    /// `[x, y, w, h]` in whole pixels, all zero for an empty mask.
    public static func bounds(counts: [Int], height: Int, width: Int) -> AxisBox {
        let runs = (counts.count / 2) * 2
        guard runs > 0, height > 0 else { return AxisBox(x: 0, y: 0, width: 0, height: 0) }
        var xs = width, ys = height, xe = 0, ye = 0
        var cumulative = 0
        var startColumn = 0
        for index in 0..<runs {
            cumulative += counts[index]
            // Even index: first pixel of a foreground run; odd: its last pixel.
            let pixel = cumulative - index % 2
            let y = pixel % height
            let x = (pixel - y) / height
            if index % 2 == 0 {
                startColumn = x
            } else if startColumn < x {
                // The run wraps into a later column: it covers every row.
                ys = 0
                ye = height - 1
            }
            xs = min(xs, x); xe = max(xe, x)
            ys = min(ys, y); ye = max(ye, y)
        }
        return AxisBox(x: Double(xs), y: Double(ys), width: Double(xe - xs + 1), height: Double(ye - ys + 1))
    }

    /// Expands counts to a column-major 0/1 mask of `height * width` bytes, or nil when they do not add up.
    public static func mask(counts: [Int], height: Int, width: Int) -> [UInt8]? {
        guard counts.reduce(0, +) == height * width else { return nil }
        var mask = [UInt8](repeating: 0, count: height * width)
        var offset = 0
        for (index, count) in counts.enumerated() {
            if index % 2 == 1 { for pixel in offset..<offset + count { mask[pixel] = 1 } }
            offset += count
        }
        return mask
    }
}
