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
/// zero-fill (page faults) and unmap its buffers; here they are touched once. Nothing is zero-filled: every kernel
/// writes all of its output (im2col writes the zeros of the padding itself). A workspace belongs to one call, so
/// concurrent callers of the (Sendable) tower never share one.
final class ResNetWorkspace {
    /// Feature-map buffers, each `mapCapacity` floats: enough for the largest map of a pass.
    let maps: [UnsafeMutablePointer<Float>]
    let mapCapacity: Int
    /// im2col columns or Winograd tiles; kernels split their work into chunks that fit.
    let scratch: UnsafeMutablePointer<Float>
    let scratchCapacity: Int

    init(mapCapacity: Int, scratchCapacity: Int, mapCount: Int = 4) {
        self.mapCapacity = max(mapCapacity, 1)
        self.scratchCapacity = max(scratchCapacity, 1)
        // Float is trivial, so uninitialised storage may be assigned element by element.
        maps = (0..<mapCount).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: max(mapCapacity, 1)) }
        scratch = .allocate(capacity: max(scratchCapacity, 1) + Self.scratchSlack)
        // The slack is only ever read into unused vector lanes; zero it so those lanes hold plain numbers.
        (scratch + max(scratchCapacity, 1)).initialize(repeating: 0, count: Self.scratchSlack)
    }

    deinit {
        for map in maps { map.deallocate() }
        scratch.deallocate()
    }

    /// Floats after `scratchCapacity` that kernels may read (never write) with full-width vector loads past the
    /// end of a partial group.
    static let scratchSlack = 16

    /// The default scratch size, 4 Mi floats (16 MiB): large enough that the chunked GEMMs keep OpenBLAS busy,
    /// small enough to stay a minor part of the tower's memory next to the weights.
    static let defaultScratch = 1 << 22
}

/// One idle workspace kept between `encode` calls, so a run of calls touches (page-faults) its buffers once.
///
/// A caller takes the workspace or, when another call holds it, makes its own; at most one is kept afterwards,
/// so memory stays that of one forward (pages of a buffer are resident only once a pass has written them).
final class WorkspaceCache: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: ResNetWorkspace?

    func take(orMake make: () -> ResNetWorkspace) -> ResNetWorkspace {
        let cached = lock.withLock { () -> ResNetWorkspace? in
            defer { idle = nil }
            return idle
        }
        return cached ?? make()
    }

    func give(back workspace: ResNetWorkspace) {
        lock.withLock { idle = workspace }
    }
}
