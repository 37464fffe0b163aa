import Foundation

/// One anti-aliased Bottleneck: 1×1, 3×3, AvgPool(stride) when strided, 1×1 (expansion 4), plus the identity or
/// an AvgPool + 1×1 + BN downsample, then ReLU.
struct Bottleneck: Sendable {
    let conv1: FoldedConv, conv2: FoldedConv, conv3: FoldedConv
    let downsample: FoldedConv?
    let stride: Int
    /// The bias added after the residual sum: conv3's, plus the downsample's when there is one (both products
    /// accumulate into one buffer first).
    let residualBias: [Float]

    init(_ checkpoint: Checkpoint, _ prefix: String, inplanes: Int, planes: Int, stride: Int, engine: GEMMEngine) throws(CLIPError) {
        conv1 = try FoldedConv(checkpoint, conv: "\(prefix).conv1", norm: "\(prefix).bn1", in: inplanes, out: planes, kernel: 1, engine: engine)
        conv2 = try FoldedConv(checkpoint, conv: "\(prefix).conv2", norm: "\(prefix).bn2", in: planes, out: planes, kernel: 3, padding: 1,
                               engine: engine)
        conv3 = try FoldedConv(checkpoint, conv: "\(prefix).conv3", norm: "\(prefix).bn3", in: planes, out: planes * 4, kernel: 1,
                               engine: engine)
        if stride > 1 || inplanes != planes * 4 {
            let downsample = try FoldedConv(checkpoint, conv: "\(prefix).downsample.0", norm: "\(prefix).downsample.1",
                                            in: inplanes, out: planes * 4, kernel: 1, engine: engine)
            residualBias = zip(conv3.bias, downsample.bias).map { $0 + $1 }
            self.downsample = downsample
        } else {
            downsample = nil
            residualBias = conv3.bias
        }
        self.stride = stride
    }

    /// The largest map, per image, that the block writes for an input of `channels × height × width`.
    func largestMap(height: Int, width: Int) -> Int {
        let inner = conv1.outChannels * height * width
        let (h, w) = (height / stride, width / stride)
        return max(inner, conv1.inChannels * height * width, conv3.outChannels * h * w)
    }

    /// Runs the block on `x`, using the three `free` workspace maps (none of them `x`'s); the result is in `x`'s
    /// buffer (identity shortcut, accumulated in place) or in `free[2]`.
    func callAsFunction(_ x: FeatureMap, free: [UnsafeMutablePointer<Float>], workspace: ResNetWorkspace) -> FeatureMap {
        let t1 = conv1.apply(x, into: free[0], bias: conv1.bias, relu: true, workspace: workspace)
        var mid = conv2.apply(t1, into: free[1], bias: conv2.bias, relu: true, workspace: workspace)
        if stride > 1 { mid = averagePool(mid, by: stride, into: free[0]) }
        guard let downsample else {
            // Identity shortcut (same shape, stride 1): conv3's product accumulates onto x itself.
            return conv3.apply(mid, into: x.base, accumulate: true, bias: residualBias, relu: true, workspace: workspace)
        }
        let identity = stride > 1 ? averagePool(x, by: stride, into: free[1]) : x
        downsample.apply(identity, into: free[2], bias: nil, relu: false, workspace: workspace)
        return conv3.apply(mid, into: free[2], accumulate: true, bias: residualBias, relu: true, workspace: workspace)
    }
}

/// OpenAI's ModifiedResNet image tower: three-conv stem, anti-aliased bottleneck stages, attention pooling
/// (query = the mean token, separate q/k/v projections, `c_proj` to the embedding).
struct ModifiedResNet: Sendable {
    let stem: [FoldedConv]
    let stages: [[Bottleneck]]
    let imageSize: Int, embed: Int, heads: Int, outputDim: Int
    let attnPositional: [Float]
    let q: Linear, k: Linear, v: Linear, c: Linear
    /// Floats per image of the largest feature map of a forward (sizes the workspace maps).
    let largestMap: Int
    let engine: GEMMEngine

    init(_ checkpoint: Checkpoint, layers: [Int], width: Int, heads: Int, imageSize: Int, embedDim: Int,
         engine: GEMMEngine = .standard) throws(CLIPError) {
        self.engine = engine
        stem = [
            try FoldedConv(checkpoint, conv: "visual.conv1", norm: "visual.bn1", in: 3, out: width / 2, kernel: 3, stride: 2, padding: 1,
                           engine: engine),
            try FoldedConv(checkpoint, conv: "visual.conv2", norm: "visual.bn2", in: width / 2, out: width / 2, kernel: 3, padding: 1,
                           engine: engine),
            try FoldedConv(checkpoint, conv: "visual.conv3", norm: "visual.bn3", in: width / 2, out: width, kernel: 3, padding: 1,
                           engine: engine),
        ]
        var inplanes = width
        var stages: [[Bottleneck]] = []
        for (index, blocks) in layers.enumerated() {
            let planes = width << index
            var stage: [Bottleneck] = []
            for block in 0..<blocks {
                stage.append(try Bottleneck(checkpoint, "visual.layer\(index + 1).\(block)", inplanes: inplanes, planes: planes,
                                            stride: block == 0 && index > 0 ? 2 : 1, engine: engine))
                inplanes = planes * 4
            }
            stages.append(stage)
        }
        self.stages = stages
        embed = width * 32
        self.heads = heads
        self.imageSize = imageSize
        let side = imageSize / 32
        attnPositional = try checkpoint.floats("visual.attnpool.positional_embedding", shape: [side * side + 1, embed])
        q = try Linear(checkpoint, "visual.attnpool.q_proj", in: embed, out: embed, engine: engine)
        k = try Linear(checkpoint, "visual.attnpool.k_proj", in: embed, out: embed, engine: engine)
        v = try Linear(checkpoint, "visual.attnpool.v_proj", in: embed, out: embed, engine: engine)
        c = try Linear(checkpoint, "visual.attnpool.c_proj", in: embed, out: embedDim, engine: engine)
        outputDim = embedDim
        guard heads > 0, embed % heads == 0 else {
            throw .unsupportedArchitecture(path: checkpoint.path, reason: "attention pool width \(embed) does not split into \(heads) heads")
        }
        // Walk the shapes once: the stem's maps at half resolution, then every block's.
        var (h, w) = stem[0].outputSize(height: imageSize, width: imageSize)
        var largest = max(3 * imageSize * imageSize, width * h * w)
        (h, w) = (h / 2, w / 2)
        for block in stages.joined() {
            largest = max(largest, block.largestMap(height: h, width: w))
            (h, w) = (h / block.stride, w / block.stride)
        }
        // The attention pool keeps the sequence and two per-head vectors of each image in three maps.
        largestMap = max(largest, (h * w + 1) * embed, heads * embed)
    }

    /// Images per pass: larger GEMMs for the late stages, while the workspace maps stay a small working set next
    /// to the weights.
    static let imagesPerPass = 4

    /// Embeds a batch of normalised images, `count × 3 × imageSize × imageSize`.
    ///
    /// Several images are split into one group per thread, each group encoded on its own thread (in passes,
    /// with its own workspace) while OpenBLAS runs single-threaded; one image uses OpenBLAS's threads.
    func encode(_ pixels: [Float], count: Int) -> [Float] {
        let plane = 3 * imageSize * imageSize
        guard count > 0, pixels.count >= count * plane else { return [] }
        var result = [Float](repeating: 0, count: count * outputDim)
        pixels.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                // Disjoint images and outputs per group, and concurrentPerform returns when all are done.
                nonisolated(unsafe) let from = source.baseAddress!, to = target.baseAddress!
                guard count > 1 else { return encodeImages(0..<count, from: from, into: to) }
                BLASThreads.withSingleThreadedBLAS { threads in
                    let groups = min(threads, count)
                    DispatchQueue.concurrentPerform(iterations: groups) { group in
                        encodeImages(count * group / groups ..< count * (group + 1) / groups, from: from, into: to)
                    }
                }
            }
        }
        return result
    }

    /// Encodes `images` of the batch at `pixels` in passes of up to `imagesPerPass`, with one workspace.
    private func encodeImages(_ images: Range<Int>, from pixels: UnsafePointer<Float>, into result: UnsafeMutablePointer<Float>) {
        let plane = 3 * imageSize * imageSize
        let perPass = min(Self.imagesPerPass, images.count)
        let workspace = ResNetWorkspace(mapCapacity: largestMap * perPass, scratchCapacity: ResNetWorkspace.defaultScratch)
        for start in stride(from: images.lowerBound, to: images.upperBound, by: perPass) {
            let chunk = min(perPass, images.upperBound - start)
            encodePass(pixels + start * plane, count: chunk, into: result + start * outputDim, workspace: workspace)
        }
    }

    private func encodePass(_ pixels: UnsafePointer<Float>, count: Int, into result: UnsafeMutablePointer<Float>,
                            workspace: ResNetWorkspace) {
        let area = imageSize * imageSize
        let maps = workspace.maps
        // Channel-major batch layout, [channel][image][y][x], so each convolution is one GEMM for all images.
        for image in 0..<count {
            for channel in 0..<3 {
                (maps[0] + (channel * count + image) * area).update(from: pixels + (image * 3 + channel) * area, count: area)
            }
        }
        var x = FeatureMap(base: maps[0], channels: 3, batch: count, height: imageSize, width: imageSize)
        x = stem[0].apply(x, into: maps[1], bias: stem[0].bias, relu: true, workspace: workspace)
        x = stem[1].apply(x, into: maps[2], bias: stem[1].bias, relu: true, workspace: workspace)
        x = stem[2].apply(x, into: maps[0], bias: stem[2].bias, relu: true, workspace: workspace)
        x = averagePool(x, by: 2, into: maps[1])
        for block in stages.joined() {
            x = block(x, free: maps.filter { $0 != x.base }, workspace: workspace)
        }
        attentionPool(x, free: maps.filter { $0 != x.base }, into: result, workspace: workspace)
    }

    /// Attention pooling of every image of a channel-major batch: the mean token is the only query.
    ///
    /// With one query the projections fold onto it, so keys and values of the 50 tokens are never formed:
    /// per head h, `q_h·(W_k,h x_t + b_k,h) = (W_k,hᵀ q_h)·x_t + const` (a constant per row does not change a
    /// softmax) and `Σ_t p_t (W_v,h x_t + b_v,h) = W_v,h (Σ_t p_t x_t) + b_v,h` (the p_t sum to 1). That is
    /// about 20 M multiply-adds per image instead of the 420 M of full key and value projections; the result
    /// differs only by rounding.
    private func attentionPool(_ x: FeatureMap, free: [UnsafeMutablePointer<Float>], into result: UnsafeMutablePointer<Float>,
                               workspace: ResNetWorkspace) {
        let (batch, spatial, embed, heads) = (x.batch, x.plane, self.embed, self.heads)
        let tokens = spatial + 1, headWidth = embed / heads
        let sequence = free[0], foldedKeys = free[1], pooled = free[2]
        precondition(batch * (2 * embed + heads * tokens) <= workspace.scratchCapacity, "scratch too small for the attention pool")
        let queries = workspace.scratch, context = queries + batch * embed, scores = context + batch * embed
        // sequence[image][token][channel]: the mean token, then the positions, plus the positional embedding.
        attnPositional.withUnsafeBufferPointer { positional in
            Kernels.forEachChunk(of: embed, minimumChunk: 64) { channels in
                for image in 0..<batch {
                    let rows = sequence + image * tokens * embed
                    for channel in channels {
                        let source = x.base + (channel * batch + image) * spatial
                        var sum: Float = 0
                        for p in 0..<spatial {
                            rows[(p + 1) * embed + channel] = source[p] + positional[(p + 1) * embed + channel]
                            sum += source[p]
                        }
                        rows[channel] = sum / Float(spatial) + positional[channel]
                    }
                }
            }
        }
        q.apply(sequence, lda: tokens * embed, rows: batch, into: queries)
        // foldedKeys[image][head] = W_k,hᵀ q_h (the query's head slice times that head's rows of W_k).
        for head in 0..<heads {
            Kernels.gemm(engine.weightKernel, m: batch, n: embed, k: headWidth, a: queries + head * headWidth, lda: embed,
                         b: k.weight.pointer + head * headWidth * embed, ldb: embed,
                         c: foldedKeys + head * embed, ldc: heads * embed)
        }
        let scale = 1 / Float(headWidth).squareRoot()
        for image in 0..<batch {
            let tokenRows = sequence + image * tokens * embed, imageScores = scores + image * heads * tokens
            // scores[head][token] = (W_k,hᵀ q_h)·x_t / √headWidth, softmax over the tokens.
            Kernels.gemm(engine.kernel, transB: true, m: heads, n: tokens, k: embed, alpha: scale, a: foldedKeys + image * heads * embed,
                         lda: embed, b: tokenRows, ldb: embed, c: imageScores, ldc: tokens)
            for head in 0..<heads { Kernels.softmax(imageScores + head * tokens, count: tokens) }
            // pooled[head] = Σ_t p_t x_t.
            Kernels.gemm(engine.kernel, m: heads, n: embed, k: tokens, a: imageScores, lda: tokens, b: tokenRows, ldb: embed,
                         c: pooled + image * heads * embed, ldc: embed)
        }
        // context_h = W_v,h · pooled_h + b_v,h.
        if let bias = v.bias {
            for image in 0..<batch { (context + image * embed).update(from: bias, count: embed) }
        }
        for head in 0..<heads {
            Kernels.gemm(engine.weightKernel, transB: true, m: batch, n: headWidth, k: embed, a: pooled + head * embed, lda: heads * embed,
                         b: v.weight.pointer + head * headWidth * embed, ldb: embed, beta: v.bias == nil ? 0 : 1,
                         c: context + head * headWidth, ldc: embed)
        }
        c.apply(context, lda: embed, rows: batch, into: result)
    }
}

extension Linear {
    /// `rows` rows of `input` (row stride `lda`) through the layer into `output` (row stride `outFeatures`).
    func apply(_ input: UnsafePointer<Float>, lda: Int, rows: Int, into output: UnsafeMutablePointer<Float>) {
        guard rows > 0 else { return }
        if let bias {
            for r in 0..<rows { (output + r * outFeatures).update(from: bias, count: outFeatures) }
        }
        product(input, lda: lda, rows: rows, beta: bias == nil ? 0 : 1, into: output)
    }
}
