// Pixels for `skybench generate`: a small pool of aerial-like base textures made once, and per image a cheap
// variation of one of them (window offset, mirroring, colour gains, low-frequency row and column ramps) plus
// the image's own objects or mask regions. Each image is a pure function of its plan, so files can be written
// in any order by any number of threads and the result is the same.
import Foundation

/// SplitMix64: the generator's one source of randomness, seeded per image.
struct GeneratorRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An integer in `0..<bound` (bound > 0).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(1, bound))) }

    /// A double in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// A seed derived from a parent seed and a label (dataset name, image index).
    static func derive(_ seed: UInt64, _ label: String, _ index: Int = 0) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in label.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        var random = GeneratorRandom(seed: seed ^ hash ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        return random.next()
    }
}

/// One planned rectangle or ellipse: a box of a detection image or a region of a mask.
struct PlannedShape: Sendable {
    var classIndex: Int
    var x: Int, y: Int, width: Int, height: Int
    var ellipse: Bool
}

/// The base textures, `side` x `side` RGB, tiling seamlessly.
struct TexturePool: Sendable {
    static let side = 512
    let textures: [[UInt8]]

    /// Land-cover colours the coarse grid picks from: vegetation, soil, urban grey, water, sand, dark forest.
    static let landCover: [(Int, Int, Int)] = [(88, 112, 64), (120, 104, 80), (128, 126, 122), (44, 72, 100),
                                               (170, 160, 128), (52, 78, 48), (150, 146, 138), (104, 120, 84)]

    init(count: Int, seed: UInt64) {
        var made: [[UInt8]] = []
        for index in 0..<count { made.append(Self.texture(seed: GeneratorRandom.derive(seed, "texture", index))) }
        textures = made
    }

    /// Coarse land-cover cells (64 px) blended bilinearly, medium brightness cells (16 px), per-pixel grain.
    static func texture(seed: UInt64) -> [UInt8] {
        var random = GeneratorRandom(seed: seed)
        let side = Self.side, coarse = 8, medium = 32
        let cells = (0..<(coarse * coarse)).map { _ in landCover[random.below(landCover.count)] }
        let shades = (0..<(medium * medium)).map { _ in random.below(33) - 16 }
        var pixels = [UInt8](repeating: 0, count: side * side * 3)
        pixels.withUnsafeMutableBufferPointer { out in
            for y in 0..<side {
                let cy = Double(y) / Double(side / coarse), my = Double(y) / Double(side / medium)
                let y0 = Int(cy) % coarse, y1 = (y0 + 1) % coarse, fy = cy - Double(Int(cy))
                let m0 = Int(my) % medium, m1 = (m0 + 1) % medium, gy = my - Double(Int(my))
                for x in 0..<side {
                    let cx = Double(x) / Double(side / coarse), mx = Double(x) / Double(side / medium)
                    let x0 = Int(cx) % coarse, x1 = (x0 + 1) % coarse, fx = cx - Double(Int(cx))
                    let n0 = Int(mx) % medium, n1 = (n0 + 1) % medium, gx = mx - Double(Int(mx))
                    let w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy
                    let a = cells[y0 * coarse + x0], b = cells[y0 * coarse + x1], c = cells[y1 * coarse + x0], d = cells[y1 * coarse + x1]
                    let shade = Double(shades[m0 * medium + n0]) * (1 - gx) * (1 - gy) + Double(shades[m0 * medium + n1]) * gx * (1 - gy)
                        + Double(shades[m1 * medium + n0]) * (1 - gx) * gy + Double(shades[m1 * medium + n1]) * gx * gy
                    let grain = Double(Int(random.next() & 15) - 8)
                    let base = (y * side + x) * 3
                    let channels = [
                        Double(a.0) * w00 + Double(b.0) * w10 + Double(c.0) * w01 + Double(d.0) * w11,
                        Double(a.1) * w00 + Double(b.1) * w10 + Double(c.1) * w01 + Double(d.1) * w11,
                        Double(a.2) * w00 + Double(b.2) * w10 + Double(c.2) * w01 + Double(d.2) * w11,
                    ]
                    for channel in 0..<3 {
                        out[base + channel] = UInt8(max(0, min(255, channels[channel] + shade + grain)))
                    }
                }
            }
        }
        return pixels
    }
}

/// Renders photos and masks from plans.
enum GeneratedRaster {
    /// An RGB photo `width` x `height` from the pool, varied by `seed`: a window of one texture at a random
    /// offset, mirrored or not, per-channel gains, and smooth row and column ramps (so that p-Hash, which sees
    /// the low frequencies, tells images of one texture apart).
    static func photo(width: Int, height: Int, seed: UInt64, pool: TexturePool) -> [UInt8] {
        var random = GeneratorRandom(seed: seed)
        let side = TexturePool.side, mask = side - 1
        let texture = pool.textures[random.below(pool.textures.count)]
        let offsetX = random.below(side), offsetY = random.below(side)
        let mirrorX = random.below(2) == 1, mirrorY = random.below(2) == 1
        let gains = (0..<3).map { _ in 208 + random.below(97) }  // x/256: 0.81 ... 1.19
        func ramp(_ length: Int) -> [Int32] {
            var values = [Double](repeating: 0, count: length)
            for _ in 0..<3 {
                let amplitude = Double(6 + random.below(14))
                let step = 2 * Double.pi / (Double(length) * (0.4 + 1.6 * random.unit()))
                let phase = 2 * Double.pi * random.unit()
                for position in 0..<length { values[position] += amplitude * sin(step * Double(position) + phase) }
            }
            return values.map { Int32($0) }
        }
        let rows = ramp(height), columns = ramp(width)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        texture.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { out in
                let g0 = Int32(gains[0]), g1 = Int32(gains[1]), g2 = Int32(gains[2])
                for y in 0..<height {
                    var ty = (y + offsetY) & mask
                    if mirrorY { ty = mask - ty }
                    let row = ty * side * 3, shift = rows[y]
                    var target = y * width * 3
                    for x in 0..<width {
                        var tx = (x + offsetX) & mask
                        if mirrorX { tx = mask - tx }
                        let at = row + tx * 3, add = shift &+ columns[x]
                        out[target] = clamp((Int32(source[at]) &* g0) >> 8 &+ add)
                        out[target + 1] = clamp((Int32(source[at + 1]) &* g1) >> 8 &+ add)
                        out[target + 2] = clamp((Int32(source[at + 2]) &* g2) >> 8 &+ add)
                        target += 3
                    }
                }
            }
        }
        return pixels
    }

    @inline(__always) static func clamp(_ value: Int32) -> UInt8 { UInt8(truncatingIfNeeded: min(255, max(0, value))) }

    /// Paints each shape into an RGB photo in a colour picked from the shape's class, keeping a little texture.
    static func paint(_ shapes: [PlannedShape], into pixels: inout [UInt8], width: Int, height: Int, seed: UInt64) {
        pixels.withUnsafeMutableBufferPointer { out in
            for (number, shape) in shapes.enumerated() {
                var random = GeneratorRandom(seed: seed &+ UInt64(number) &* 0x9E37_79B9)
                let colour = (Int32(40 + random.below(200)), Int32(40 + random.below(200)), Int32(40 + random.below(200)))
                forEachPixel(of: shape, width: width, height: height) { index in
                    let at = index * 3
                    out[at] = UInt8(truncatingIfNeeded: (colour.0 * 3 + Int32(out[at])) >> 2)
                    out[at + 1] = UInt8(truncatingIfNeeded: (colour.1 * 3 + Int32(out[at + 1])) >> 2)
                    out[at + 2] = UInt8(truncatingIfNeeded: (colour.2 * 3 + Int32(out[at + 2])) >> 2)
                }
            }
        }
    }

    /// A label mask: `background` everywhere, each shape's class index inside it (later shapes on top).
    static func labels(_ shapes: [PlannedShape], width: Int, height: Int, background: UInt8) -> [UInt8] {
        var labels = [UInt8](repeating: background, count: width * height)
        labels.withUnsafeMutableBufferPointer { out in
            for shape in shapes {
                let value = UInt8(truncatingIfNeeded: shape.classIndex)
                forEachPixel(of: shape, width: width, height: height) { out[$0] = value }
            }
        }
        return labels
    }

    /// Tints a photo by its label mask, so that the photo shows the mask's regions.
    static func tint(_ pixels: inout [UInt8], labels: [UInt8], colours: [(Int32, Int32, Int32)]) {
        pixels.withUnsafeMutableBufferPointer { out in
            labels.withUnsafeBufferPointer { labels in
                for index in 0..<labels.count {
                    let colour = colours[Int(labels[index]) % colours.count], at = index * 3
                    out[at] = UInt8(truncatingIfNeeded: (Int32(out[at]) + colour.0) >> 1)
                    out[at + 1] = UInt8(truncatingIfNeeded: (Int32(out[at + 1]) + colour.1) >> 1)
                    out[at + 2] = UInt8(truncatingIfNeeded: (Int32(out[at + 2]) + colour.2) >> 1)
                }
            }
        }
    }

    /// Calls `body` with the index of every pixel of a shape, clipped to the image.
    @inline(__always)
    static func forEachPixel(of shape: PlannedShape, width: Int, height: Int, _ body: (Int) -> Void) {
        let x0 = max(0, shape.x), y0 = max(0, shape.y)
        let x1 = min(width, shape.x + shape.width), y1 = min(height, shape.y + shape.height)
        guard x0 < x1, y0 < y1 else { return }
        if !shape.ellipse {
            for y in y0..<y1 { for x in x0..<x1 { body(y * width + x) } }
            return
        }
        let rx = Double(shape.width) / 2, ry = Double(shape.height) / 2
        let cx = Double(shape.x) + rx, cy = Double(shape.y) + ry
        for y in y0..<y1 {
            let dy = (Double(y) + 0.5 - cy) / ry
            let half = dy * dy < 1 ? rx * (1 - dy * dy).squareRoot() : -1
            guard half >= 0 else { continue }
            let start = max(x0, Int((cx - half).rounded())), end = min(x1, Int((cx + half).rounded()))
            if start < end { for x in start..<end { body(y * width + x) } }
        }
    }
}
