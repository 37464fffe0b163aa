import Dispatch
import Foundation
import SkyImaging

extension PerceptualHasher {
    /// Hashes many files on all cores; each result is the hash or the error that names the file.
    ///
    /// `progress(done, total)` is called from worker threads, serialised, after each file.
    public func hash(files paths: [String], workers: Int = ProcessorCount.online,
                     progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) -> [Result<Hash64, ImageError>] {
        let slots = HashSlots(count: paths.count)
        let chunkCount = max(1, min(paths.count, workers * 16))
        DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
            let start = paths.count * chunk / chunkCount, end = paths.count * (chunk + 1) / chunkCount
            for index in start..<end {
                let result = Result<Hash64, ImageError> { () throws(ImageError) in try hash(file: paths[index]) }
                slots.set(index, result) { done in progress(done, paths.count) }
            }
        }
        return slots.values()
    }
}

/// Result slots written once each from worker threads.
private final class HashSlots: @unchecked Sendable {
    private var storage: [Result<Hash64, ImageError>?]
    private var done = 0
    private let lock = NSLock()

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    /// Stores one result, then reports how many are stored, under the lock (so reports are serialised).
    func set(_ index: Int, _ value: Result<Hash64, ImageError>, report: (Int) -> Void) {
        lock.withLock {
            storage[index] = value
            done += 1
            report(done)
        }
    }

    func values() -> [Result<Hash64, ImageError>] {
        lock.withLock {
            storage.enumerated().map { index, value in
                value ?? .failure(.unreadable(path: "#\(index)", reason: "not hashed"))
            }
        }
    }
}
