import Foundation

/// A batch of feature maps in the ResNet tower's channel-major layout, `[channel][image][y][x]`, so that a 1×1
/// convolution of every image is one GEMM over the `batch · height · width` columns.
struct FeatureMap {
    let base: UnsafeMutablePointer<Float>
    let channels: Int, batch: Int, height: Int, width: Int

    var plane: Int { height * width }
    /// Columns of the GEMM view: every pixel of every image.
    var spatial: Int { batch * height * width }
    var count: Int { channels * spatial }
}

/// The buffers one ResNet forward works in, allocated once per `encode` call and reused by every layer and pass.
///
/// Fresh per-layer arrays of tens of megabytes sit above glibc's mmap threshold, so each layer used to map,
/// zero-fill (page faults) and unmap its buffers; here they are touched once, and on Linux they are one mapping
/// that asks for transparent huge pages, so touching them costs a few dozen faults instead of thousands. Nothing
/// is zero-filled: every kernel writes all of its output (im2col writes the zeros of the padding itself). A
/// workspace belongs to one call, so concurrent callers of the (Sendable) tower never share one.
final class ResNetWorkspace {
    /// Feature-map buffers, each `mapCapacity` floats: enough for the largest map of a pass.
    let maps: [UnsafeMutablePointer<Float>]
    let mapCapacity: Int
    /// im2col columns or Winograd tiles; kernels split their work into chunks that fit.
    let scratch: UnsafeMutablePointer<Float>
    let scratchCapacity: Int
    private let storage: FloatStorage

    init(mapCapacity: Int, scratchCapacity: Int, mapCount: Int = 4) {
        // Each buffer starts on a 64-byte boundary.
        let mapStride = (max(mapCapacity, 1) + 15) / 16 * 16
        self.mapCapacity = max(mapCapacity, 1)
        self.scratchCapacity = max(scratchCapacity, 1)
        let storage = FloatStorage(count: mapCount * mapStride + self.scratchCapacity + Self.scratchSlack)
        maps = (0..<mapCount).map { storage.base + $0 * mapStride }
        scratch = storage.base + mapCount * mapStride
        self.storage = storage
        // The slack is only ever read into unused vector lanes; zero it so those lanes hold plain numbers.
        (scratch + self.scratchCapacity).update(repeating: 0, count: Self.scratchSlack)
    }

    /// Floats after `scratchCapacity` that kernels may read (never write) with full-width vector loads past the
    /// end of a partial group.
    static let scratchSlack = 16

    /// The default scratch size, 4 Mi floats (16 MiB): large enough that the chunked GEMMs keep OpenBLAS busy,
    /// small enough to stay a minor part of the tower's memory next to the weights.
    static let defaultScratch = 1 << 22
}

/// Uninitialised float storage (Float is trivial, so it may be assigned element by element): on Linux an
/// anonymous mapping advised for transparent huge pages, elsewhere an ordinary allocation.
final class FloatStorage {
    let base: UnsafeMutablePointer<Float>
    #if os(Linux)
    private let mapping: UnsafeMutableRawPointer
    private let length: Int
    #endif

    init(count: Int) {
        #if os(Linux)
        // Over-map by one huge page so the floats can start on a 2 MiB boundary, where huge pages apply.
        let huge = 2 << 20
        length = count * MemoryLayout<Float>.stride + huge
        let mapped = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapped, mapped != MAP_FAILED else { fatalError("could not map \(length) bytes for the ResNet workspace") }
        mapping = mapped
        let aligned = (Int(bitPattern: mapped) + huge - 1) / huge * huge
        let start = UnsafeMutableRawPointer(bitPattern: aligned)!
        // Advice only: without huge pages the mapping works the same, with more faults.
        _ = madvise(start, length - (aligned - Int(bitPattern: mapped)), Int32(MADV_HUGEPAGE))
        base = start.bindMemory(to: Float.self, capacity: count)
        #else
        base = .allocate(capacity: count)
        #endif
    }

    deinit {
        #if os(Linux)
        munmap(mapping, length)
        #else
        base.deallocate()
        #endif
    }
}
