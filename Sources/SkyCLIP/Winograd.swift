import CSkyKernels

/// A 3×3, stride-1, padding-1 convolution by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray 2016).
///
/// Each 2×2 output tile comes from a 4×4 input tile `d`: `Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A`. Over all channels this is
/// 16 independent GEMMs, one per position ξ of the 4×4 transformed tile: `M_ξ[out × tiles] = U_ξ[out × in] ·
/// V_ξ[in × tiles]`, 16 products of depth `in` per 4 outputs instead of 36 (2.25x fewer multiplications). The
/// transforms only add and subtract, so the rounding stays close to the direct product's (tests bound it).
/// In this anti-aliased ResNet every 3×3 convolution after the first stem convolution has stride 1 (downsampling
/// is an average pool), so they all run here.
struct WinogradConvolution: Sendable {
    /// `U = G g Gᵀ` of every filter, laid out `[ξ][out][in]`: one GEMM A operand per tile position, each a view of
    /// one allocation (packed once per position on an own kernel).
    let transformed: [Filters]
    let inChannels: Int, outChannels: Int

    /// Transforms folded weights `[out][in][3][3]` (in Double, rounded once).
    init(weight: [Float], in inChannels: Int, out outChannels: Int, kernel: sky_gemm_kernel?) {
        precondition(weight.count == outChannels * inChannels * 9)
        var u = [Float](repeating: 0, count: 16 * outChannels * inChannels)
        let plane = outChannels * inChannels
        weight.withUnsafeBufferPointer { w in
            for filter in 0..<plane {
                let f = w.baseAddress! + filter * 9
                let row = { (k: Int) in SIMD3<Double>(Double(f[3 * k]), Double(f[3 * k + 1]), Double(f[3 * k + 2])) }
                let (r0, r1, r2) = (row(0), row(1), row(2))
                // G·g: rows g0, (g0+g1+g2)/2, (g0−g1+g2)/2, g2; then the same on the columns, (G·g)·Gᵀ.
                let left = (r0, 0.5 * (r0 + r1 + r2), 0.5 * (r0 - r1 + r2), r2)
                for (i, l) in [left.0, left.1, left.2, left.3].enumerated() {
                    let expanded = SIMD4(l[0], 0.5 * (l[0] + l[1] + l[2]), 0.5 * (l[0] - l[1] + l[2]), l[2])
                    for j in 0..<4 { u[(i * 4 + j) * plane + filter] = Float(expanded[j]) }
                }
            }
        }
        let all = Weights(u)
        transformed = (0..<16).map { xi in
            Filters(Weights(pointer: all.pointer + xi * plane, count: plane, owner: all.owner), rows: outChannels, depth: inChannels,
                    kernel: kernel)
        }
        self.inChannels = inChannels
        self.outChannels = outChannels
    }

    /// `output = conv(input) [+ output when accumulating] [+ bias] [then ReLU]`, same height and width as the input.
    ///
    /// The tiles of all images run in chunks whose transformed inputs and products fit the workspace scratch;
    /// the transforms of a chunk are split across the worker threads by channel, the GEMMs use OpenBLAS's threads.
    func apply(_ input: FeatureMap, into output: UnsafeMutablePointer<Float>, accumulate: Bool, bias: [Float]?, relu: Bool,
               workspace: ResNetWorkspace) {
        precondition(input.channels == inChannels)
        let tilesX = (input.width + 1) / 2, tilesPerImage = tilesX * ((input.height + 1) / 2)
        let total = input.batch * tilesPerImage
        guard total > 0 else { return }
        let perTile = 16 * (inChannels + outChannels)
        precondition(perTile <= workspace.scratchCapacity, "scratch too small for one Winograd tile")
        let chunks = (total + workspace.scratchCapacity / perTile - 1) / (workspace.scratchCapacity / perTile)
        let length = (total + chunks - 1) / chunks
        let layout = TileLayout(input: input, tilesX: tilesX, tilesPerImage: tilesPerImage)
        let v = workspace.scratch
        for first in stride(from: 0, to: total, by: length) {
            let tiles = first ..< min(first + length, total)
            let m = v + 16 * inChannels * tiles.count
            transformInput(input, tiles: tiles, layout: layout, into: v)
            for xi in 0..<16 {
                transformed[xi].multiply(n: tiles.count, b: v + xi * inChannels * tiles.count, ldb: tiles.count,
                                         c: m + xi * outChannels * tiles.count, ldc: tiles.count)
            }
            transformOutput(m, tiles: tiles, layout: layout, into: output, accumulate: accumulate, bias: bias, relu: relu)
        }
    }

    /// Where tile `g` lies: image `g / tilesPerImage`, then row-major tiles, `tilesX` per row.
    struct TileLayout {
        let input: FeatureMap
        let tilesX: Int, tilesPerImage: Int

        /// Calls `body(image, tileRow, tileColumns, offset)` for each run of tiles of `tiles` within one tile row,
        /// `offset` being the run's first tile relative to `tiles.lowerBound`.
        @inline(__always)
        func forEachRun(of tiles: Range<Int>, _ body: (Int, Int, Range<Int>, Int) -> Void) {
            var g = tiles.lowerBound
            while g < tiles.upperBound {
                let image = g / tilesPerImage, r = g % tilesPerImage
                let ty = r / tilesX, tx = r % tilesX
                let end = min(tilesX, tx + tiles.upperBound - g)
                body(image, ty, tx ..< end, g - tiles.lowerBound)
                g += end - tx
            }
        }
    }

    /// `V = Bᵀ d B` of every (channel, tile), written `[ξ][channel][tile]`.
    ///
    /// Eight horizontally adjacent tiles at a time: their 4×4 inputs start two columns apart, so each input row
    /// gives the four tile columns as the even and odd lanes of two 16-float loads, and the 16 results are eight
    /// contiguous floats each. Rows are first copied into zero-padded lines, so the padding needs no branches.
    private func transformInput(_ input: FeatureMap, tiles: Range<Int>, layout: TileLayout, into v: UnsafeMutablePointer<Float>) {
        let (height, width, batch) = (input.height, input.width, input.batch)
        let length = tiles.count, stride = inChannels * length
        // Line index p holds input column p − 1; the tail leaves room for the last group's 18-float reach.
        let lineWidth = 2 * layout.tilesX + 18
        Kernels.forEachChunk(of: inChannels) { channels in
            let lines = UnsafeMutablePointer<Float>.allocate(capacity: 4 * lineWidth)
            defer { lines.deallocate() }
            lines.initialize(repeating: 0, count: 4 * lineWidth)
            for c in channels {
                layout.forEachRun(of: tiles) { image, ty, run, offset in
                    let plane = input.base + (c * batch + image) * height * width
                    for i in 0..<4 {
                        let y = 2 * ty - 1 + i, line = lines + i * lineWidth + 1
                        if y >= 0 && y < height {
                            line.update(from: plane + y * width, count: width)
                        } else {
                            line.update(repeating: 0, count: width)
                        }
                    }
                    var target = v + c * length + offset
                    for tx in Swift.stride(from: run.lowerBound, to: run.upperBound, by: 8) {
                        let count = min(8, run.upperBound - tx)
                        // d·B along each input row, then Bᵀ·(d·B) down the columns: r0 − r2, r1 + r2, r2 − r1, r1 − r3.
                        let base = lines + 2 * tx
                        let r0 = rowTransform(base), r1 = rowTransform(base + lineWidth)
                        let r2 = rowTransform(base + 2 * lineWidth), r3 = rowTransform(base + 3 * lineWidth)
                        storeColumn(r0.0, r1.0, r2.0, r3.0, to: target, stride: stride, count: count)
                        storeColumn(r0.1, r1.1, r2.1, r3.1, to: target + stride, stride: stride, count: count)
                        storeColumn(r0.2, r1.2, r2.2, r3.2, to: target + 2 * stride, stride: stride, count: count)
                        storeColumn(r0.3, r1.3, r2.3, r3.3, to: target + 3 * stride, stride: stride, count: count)
                        target += count
                    }
                }
            }
        }
    }

    /// `Y = Aᵀ M A` of every (output channel, tile), plus bias, accumulation and ReLU, into the output map; four
    /// adjacent tiles at a time (their two output columns interleave into 8 contiguous floats per output row).
    private func transformOutput(_ m: UnsafeMutablePointer<Float>, tiles: Range<Int>, layout: TileLayout,
                                 into output: UnsafeMutablePointer<Float>, accumulate: Bool, bias: [Float]?, relu: Bool) {
        let (height, width, batch) = (layout.input.height, layout.input.width, layout.input.batch)
        let length = tiles.count, stride = outChannels * length
        bias.withOptionalBuffer { bias in
            Kernels.forEachChunk(of: outChannels) { channels in
                for o in channels {
                    let b = SIMD8<Float>(repeating: bias?[o] ?? 0)
                    layout.forEachRun(of: tiles) { image, ty, run, offset in
                        let plane = output + (o * batch + image) * height * width
                        var source = m + o * length + offset
                        for tx in Swift.stride(from: run.lowerBound, to: run.upperBound, by: 4) {
                            let count = min(4, run.upperBound - tx)
                            let rows = min(2, height - 2 * ty), valid = min(2 * count, width - 2 * tx)
                            // Aᵀ M down the columns: row 0 = m0 + m1 + m2, row 1 = m1 − m2 − m3 (mi = positions 4i..4i+3).
                            var m1 = positions(source + 4 * stride, stride: stride)
                            let m2 = positions(source + 8 * stride, stride: stride)
                            let top = positions(source, stride: stride) + m1 + m2
                            m1 = m1 - m2 - positions(source + 12 * stride, stride: stride)
                            for dy in 0..<rows {
                                var values = outputRow(dy == 0 ? top : m1) + b
                                let line = plane + (2 * ty + dy) * width + 2 * tx
                                if valid == 8 {
                                    if accumulate { values += UnsafeRawPointer(line).loadUnaligned(as: SIMD8<Float>.self) }
                                    if relu { values = values.replacing(with: 0, where: values .< 0) }
                                    UnsafeMutableRawPointer(line).storeBytes(of: values, as: SIMD8<Float>.self)
                                } else {
                                    for x in 0..<valid {
                                        var value = values[x]
                                        if accumulate { value += line[x] }
                                        line[x] = relu ? max(value, 0) : value
                                    }
                                }
                            }
                            source += count
                        }
                    }
                }
            }
        }
    }
}

/// Four consecutive positions ξ..ξ+3 (`stride` apart) of four adjacent tiles: one SIMD4 per position.
typealias TileColumns = (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)

/// Loads positions ξ..ξ+3 of four tiles from `p`. At the end of a run, lanes past its last tile hold whatever
/// follows (later tiles, the next row of products, or the workspace's zeroed scratch slack): they are computed
/// but never stored, and whole loads avoid the store-forwarding stalls of lane-by-lane ones.
@inline(__always)
private func positions(_ p: UnsafePointer<Float>, stride: Int) -> TileColumns {
    (load4(p), load4(p + stride), load4(p + 2 * stride), load4(p + 3 * stride))
}

@inline(__always)
private func + (a: TileColumns, b: TileColumns) -> TileColumns { (a.0 + b.0, a.1 + b.1, a.2 + b.2, a.3 + b.3) }

@inline(__always)
private func - (a: TileColumns, b: TileColumns) -> TileColumns { (a.0 - b.0, a.1 - b.1, a.2 - b.2, a.3 - b.3) }

/// `· A` along one output row of four tiles: columns t0 + t1 + t2 and t1 − t2 − t3, interleaved as the output
/// pixels lie.
@inline(__always)
private func outputRow(_ t: TileColumns) -> SIMD8<Float> {
    let even = t.0 + t.1 + t.2, odd = t.1 - t.2 - t.3
    return SIMD8(even[0], odd[0], even[1], odd[1], even[2], odd[2], even[3], odd[3])
}

@inline(__always)
private func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
}

/// `d·B` for one input row of eight adjacent tiles starting at `line` (tile k's four inputs are `line[2k ..< 2k+4]`):
/// d0 − d2, d1 + d2, d2 − d1, d1 − d3, with d0..d3 the even and odd lanes of two 16-float loads.
@inline(__always)
private func rowTransform(_ line: UnsafePointer<Float>) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
    let a = load16(line), b = load16(line + 2)
    return (a.evenHalf - b.evenHalf, a.oddHalf + b.evenHalf, b.evenHalf - a.oddHalf, a.oddHalf - b.oddHalf)
}

/// `Bᵀ` down one column of row transforms `r0..r3`: positions ξ = j, 4+j, 8+j, 12+j, `4·stride` apart from `target`.
@inline(__always)
private func storeColumn(_ r0: SIMD8<Float>, _ r1: SIMD8<Float>, _ r2: SIMD8<Float>, _ r3: SIMD8<Float>,
                         to target: UnsafeMutablePointer<Float>, stride: Int, count: Int) {
    store8(r0 - r2, to: target, count: count)
    store8(r1 + r2, to: target + 4 * stride, count: count)
    store8(r2 - r1, to: target + 8 * stride, count: count)
    store8(r1 - r3, to: target + 12 * stride, count: count)
}

/// Stores the first `count` lanes of `values` (all eight at once when complete).
@inline(__always)
private func store8(_ values: SIMD8<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
    if count == 8 {
        UnsafeMutableRawPointer(target).storeBytes(of: values, as: SIMD8<Float>.self)
    } else {
        for lane in 0..<count { target[lane] = values[lane] }
    }
}

@inline(__always)
private func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}
