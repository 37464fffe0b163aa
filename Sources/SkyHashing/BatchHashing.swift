import Dispatch
import Foundation
import SkyImaging

extension PerceptualHasher {
    /// Hashes many files on `workers` threads; each result is the hash or the error that names the file.
    ///
    /// Each worker takes the next unhashed file when it finishes one, so a few large files do not leave
    /// the other threads idle at the end of a batch. `progress(done, total)` is called from worker
    /// threads, serialised, after each file.
    public func hash(files paths: [String], workers: Int = ProcessorCount.online,
                     progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) -> [Result<Hash64, ImageError>] {
        let slots = HashSlots(count: paths.count)
        // concurrentPerform runs at most one iteration per core at a time, so `workers` iterations bound the
        // threads at min(workers, cores); each iteration drains the shared queue of file indices.
        let threads = max(1, min(workers, paths.count))
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while let index = slots.claim() {
                let result = Result<Hash64, ImageError> { () throws(ImageError) in try hash(file: paths[index]) }
                slots.set(index, result) { done in progress(done, paths.count) }
            }
        }
        return slots.values()
    }
}

/// Result slots written once each from worker threads, and the next index to hash.
private final class HashSlots: @unchecked Sendable {
    private var storage: [Result<Hash64, ImageError>?]
    private var next = 0
    private var done = 0
    private let lock = NSLock()

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    /// The next index no worker has taken, or nil when every file is taken.
    func claim() -> Int? {
        lock.withLock {
            guard next < storage.count else { return nil }
            defer { next += 1 }
            return next
        }
    }

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
