import Dispatch
import Foundation
import SkyConcurrency
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
private struct HashSlots: Sendable {
    private struct State {
        var storage: [Result<Hash64, ImageError>?]
        var next = 0
        var done = 0
    }

    private let state: Locked<State>

    init(count: Int) { state = Locked(State(storage: Array(repeating: nil, count: count))) }

    /// The next index no worker has taken, or nil when every file is taken.
    func claim() -> Int? {
        state.withLock { state in
            guard state.next < state.storage.count else { return nil }
            defer { state.next += 1 }
            return state.next
        }
    }

    /// Stores one result, then reports how many are stored, under the lock (so reports are serialised).
    func set(_ index: Int, _ value: Result<Hash64, ImageError>, report: (Int) -> Void) {
        state.withLock { state in
            state.storage[index] = value
            state.done += 1
            report(state.done)
        }
    }

    func values() -> [Result<Hash64, ImageError>] {
        state.withLock { state in
            state.storage.enumerated().map { index, value in
                value ?? .failure(.unreadable(path: "#\(index)", reason: "not hashed"))
            }
        }
    }
}
