import Synchronization

/// A value shared between threads behind a mutex: the package's one lock type.
///
/// Workers of `DispatchQueue.concurrentPerform` fill result slots, progress counters and caches through it, instead
/// of each module keeping its own `@unchecked Sendable` class around an `NSLock`.
public final class Locked<Value>: Sendable {
    private let mutex: Mutex<Value>

    /// A lock around `value`.
    public init(_ value: sending Value) {
        mutex = Mutex(value)
    }

    /// Runs `body` with exclusive access to the value.
    public func withLock<Result>(_ body: (inout sending Value) throws -> sending Result) rethrows -> sending Result {
        try mutex.withLock(body)
    }
}

extension Locked where Value: Sendable {
    /// A copy of the value.
    public var value: Value { mutex.withLock { $0 } }
}

/// Fixed result slots filled from concurrent workers, each index written once, read when all are done.
public final class ResultSlots<Element: Sendable>: Sendable {
    private let slots: Locked<[Element?]>

    /// `count` empty slots.
    public init(count: Int) {
        slots = Locked([Element?](repeating: nil, count: count))
    }

    /// Fills slot `index`.
    public func set(_ index: Int, _ value: Element) {
        slots.withLock { $0[index] = value }
    }

    /// Every slot's value; a slot left empty is a programming error.
    public func values() -> [Element] {
        slots.value.map { $0! }
    }
}
