import Foundation
import SkyConcurrency
import SkyStorage
import SkyTestSupport
import Testing

/// Several connections on one corpus file, as two `skycorpus` processes have: writers take turns, readers see
/// committed snapshots only, and a writer that waits past its busy timeout fails with a clear error.
@Suite struct ConcurrencyTests {
    /// Two writers on their own connections, each committing many small transactions at once: both finish,
    /// nothing is lost, and the corpus holds exactly what a sequential run writes.
    @Test func twoWritersBothSucceed() throws {
        let folder = try TemporaryFolder("two-writers")
        let path = folder.path("corpus.sqlite")
        _ = try Corpus(path: path, create: true)
        let perWriter = 40
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { writer in
            do {
                let corpus = try Corpus(path: path)
                for index in 0..<perWriter {
                    _ = try corpus.write { transaction in
                        try transaction.insertDataset(DatasetRecord(name: "writer\(writer)-\(index)", priority: index))
                    }
                }
            } catch {
                let message = "\(error)"
                failures.withLock { $0.append(message) }
            }
        }
        #expect(failures.value.isEmpty)
        let names = try Corpus(path: path, access: .readOnly).read { try $0.allDatasets().map(\.name) }
        let expected = (0..<2).flatMap { writer in (0..<perWriter).map { "writer\(writer)-\($0)" } }
        #expect(names.sorted() == expected.sorted())
    }

    /// A reader (read-only, as `stats` and `export` open the corpus) during an open write transaction sees the
    /// state before it, never a half-written step, and sees the whole step once it commits.
    @Test func aReaderDuringAWriterSeesTheCommittedStateOnly() throws {
        let folder = try TemporaryFolder("reader-writer")
        let path = folder.path("corpus.sqlite")
        let writer = try Corpus(path: path, create: true)
        _ = try writer.write { try $0.insertDataset(DatasetRecord(name: "before")) }
        let reader = try Corpus(path: path, access: .readOnly)
        var seenInside: [String] = []
        try writer.write { transaction in
            try transaction.insertDataset(DatasetRecord(name: "during-1"))
            try transaction.insertDataset(DatasetRecord(name: "during-2"))
            // Another connection reads while this transaction holds the write lock with uncommitted rows.
            seenInside = try reader.read { try $0.allDatasets().map(\.name) }
        }
        #expect(seenInside == ["before"])
        #expect(try reader.read { try $0.allDatasets().map(\.name) } == ["before", "during-1", "during-2"])
        // A read-only connection opened while a writer holds the lock opens and reads too.
        try writer.write { transaction in
            try transaction.insertDataset(DatasetRecord(name: "late"))
            let late = try Corpus(path: path, access: .readOnly)
            #expect(try late.read { try $0.allDatasets().count } == 3)
        }
    }

    /// A writer that waits longer than its busy timeout for another connection's lock fails with "the corpus is
    /// busy" naming the file and the wait, writes nothing, and succeeds once the lock is released.
    @Test func aLockHeldPastTheTimeoutIsAClearError() throws {
        let folder = try TemporaryFolder("busy")
        let path = folder.path("corpus.sqlite")
        let holder = try Corpus(path: path, create: true)
        let waiter = try Corpus(path: path, access: .readWrite, busyTimeout: 0.3)
        #expect(waiter.busyTimeout == 0.3)
        let started = Date()
        var caught: CorpusError?
        try holder.write { transaction in
            try transaction.insertDataset(DatasetRecord(name: "holder"))
            do {
                _ = try waiter.write { try $0.insertDataset(DatasetRecord(name: "waiter")) }
            } catch let error as CorpusError {
                caught = error
            }
        }
        let waited = Date().timeIntervalSince(started)
        #expect(caught == .busy(path: path, waited: 0.3))
        #expect(caught?.description == "\(path): the corpus is busy: another skycorpus process is writing "
            + "(waited 0.3 s); run this step again when it has finished")
        #expect(waited >= 0.25 && waited < 5, "waited \(waited) s")
        #expect(try waiter.read { try $0.allDatasets().map(\.name) } == ["holder"])
        _ = try waiter.write { try $0.insertDataset(DatasetRecord(name: "waiter")) }
        #expect(try holder.read { try $0.allDatasets().map(\.name) } == ["holder", "waiter"])
    }

    @Test func theDefaultWaitIsTenSeconds() throws {
        let folder = try TemporaryFolder("busy-default")
        let corpus = try Corpus(path: folder.path("corpus.sqlite"), create: true)
        #expect(corpus.busyTimeout == Corpus.busyTimeout)
        #expect(CorpusError.busy(path: "c", waited: Corpus.busyTimeout).description.contains("(waited 10 s)"))
    }
}
