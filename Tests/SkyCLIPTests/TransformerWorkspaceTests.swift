import Foundation
import Testing
@testable import SkyCLIP
import SkyTestSupport

/// Blocks run on one shared workspace give exactly what each block on its own fresh buffers gives.
@Suite struct TransformerWorkspaceTests {
    /// The fixture ViT's blocks over random rows (uneven sequence lengths, causal and not): chaining them on
    /// one workspace, larger than needed and dirtied by an earlier run, equals block-by-block `callAsFunction`
    /// (a fresh workspace per block), bit for bit.
    @Test(arguments: [false, true])
    func sharedWorkspaceEqualsFresh(causal: Bool) throws {
        let fixture = try ModelFixture("vit-gelu-f16")
        let model = try CLIPModel(path: fixture.path("safetensors"), override: fixture.override)
        guard case .transformer(let tower) = model.imageTower else {
            Issue.record("the fixture is not a ViT")
            return
        }
        let blocks = tower.blocks
        let width = try #require(blocks.first?.width)
        let lengths = [5, 1, 9]
        let rows = lengths.reduce(0, +)
        var generator = SplitMix64(seed: causal ? 5 : 9)
        let input = (0..<rows * width).map { _ in Float.random(in: -2...2, using: &generator) }

        var fresh = input
        for block in blocks { block(&fresh, lengths: lengths, causal: causal) }

        let workspace = TransformerWorkspace(rows: rows + 7, width: width, hidden: blocks[0].fc.outFeatures + 3)
        var shared = input
        shared.withUnsafeMutableBufferPointer { buffer in
            for _ in 0..<2 {
                buffer.baseAddress!.update(from: input, count: input.count)
                for block in blocks { block.run(buffer.baseAddress!, lengths: lengths, causal: causal, workspace: workspace) }
            }
        }
        #expect(shared == fresh)
        #expect(fresh != input)
    }

    /// The cache hands back its workspace when it is large enough, makes a larger one when it is not (and keeps
    /// that), and a tower encoding the same batch twice through it gives the same embeddings.
    @Test func cacheReusesLargeEnoughWorkspaces() throws {
        let cache = TransformerWorkspaceCache()
        let first = cache.with(rows: 10, width: 8, hidden: 32) { ObjectIdentifier($0) }
        let smaller = cache.with(rows: 4, width: 8, hidden: 16) { ObjectIdentifier($0) }
        #expect(smaller == first)
        let larger = cache.with(rows: 11, width: 8, hidden: 32) { $0 }
        #expect(ObjectIdentifier(larger) != first)
        #expect(larger.rows == 11)
        #expect(cache.with(rows: 11, width: 8, hidden: 32) { $0 } === larger)

        let fixture = try ModelFixture("vit-gelu-f16")
        let model = try CLIPModel(path: fixture.path("safetensors"), override: fixture.override)
        let once = try model.encodeImages(fixture.images, count: fixture.imageCount)
        let again = try model.encodeImages(fixture.images, count: fixture.imageCount)
        #expect(once == again)
    }
}
