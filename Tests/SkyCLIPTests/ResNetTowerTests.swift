import Foundation
import Testing
@testable import SkyCLIP

/// The ResNet tower's batching into passes and thread groups, its per-call workspaces and the single-threaded
/// OpenBLAS sections the groups run in.
@Suite struct ResNetTowerTests {
    static func tower() throws -> (ModifiedResNet, ModelFixture) {
        let fixture = try ModelFixture("rn-quickgelu-bf16")
        let model = try CLIPModel(path: fixture.path("safetensors"), override: fixture.override)
        guard case .resnet(let tower) = model.imageTower else {
            Issue.record("the RN fixture should load a ResNet tower")
            throw CLIPError.badInput(what: fixture.name, reason: "not a ResNet")
        }
        return (tower, fixture)
    }

    /// More images than one pass holds (thread groups, several passes, a partial last one) give each image the
    /// embedding it gets alone, within rounding.
    @Test func passesDoNotMixImages() throws {
        let (tower, fixture) = try Self.tower()
        let plane = 3 * fixture.imageSize * fixture.imageSize
        let count = ModifiedResNet.imagesPerPass + 2
        var pixels: [Float] = []
        for index in 0..<count {
            let image = index % fixture.imageCount
            pixels += fixture.images[image * plane ..< (image + 1) * plane].map { $0 * (1 + Float(index) / 10) }
        }
        let batched = tower.encode(pixels, count: count)
        for index in 0..<count {
            let alone = tower.encode(Array(pixels[index * plane ..< (index + 1) * plane]), count: 1)
            let result = compare(Array(batched[index * tower.outputDim ..< (index + 1) * tower.outputDim]), alone)
            #expect(result.relative < 1e-6, "image \(index): \(result.relative)")
        }
    }

    /// Concurrent callers of one tower (each with its own workspace) get the same embeddings as a serial call.
    @Test func concurrentCallsAgree() throws {
        let (tower, fixture) = try Self.tower()
        let expected = tower.encode(fixture.images, count: fixture.imageCount)
        let results = ResultSlots(count: 6)
        DispatchQueue.concurrentPerform(iterations: 6) { index in
            results.set(index, tower.encode(fixture.images, count: fixture.imageCount))
        }
        for index in 0..<6 { #expect(results.value(index) == expected, "call \(index)") }
    }

    /// Overlapping and nested single-threaded sections all see the configured count, run with one OpenBLAS
    /// thread, and leave the configured count behind.
    @Test func singleThreadedBLASSectionsNestAndRestore() {
        let configured = BLASThreads.withSingleThreadedBLAS { $0 }
        let seen = ResultSlots(count: 8)
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let values = BLASThreads.withSingleThreadedBLAS { outer in
                BLASThreads.withSingleThreadedBLAS { inner in [Float(outer), Float(inner), Float(BLASThreads.current)] }
            }
            seen.set(index, values)
        }
        for index in 0..<8 { #expect(seen.value(index) == [Float(configured), Float(configured), 1], "section \(index)") }
        #expect(BLASThreads.withSingleThreadedBLAS { $0 } == configured)
    }
}

/// Results written once each from worker threads.
private final class ResultSlots: @unchecked Sendable {
    private var storage: [[Float]]
    private let lock = NSLock()
    init(count: Int) { storage = Array(repeating: [], count: count) }
    func set(_ index: Int, _ value: [Float]) { lock.withLock { storage[index] = value } }
    func value(_ index: Int) -> [Float] { lock.withLock { storage[index] } }
}
