/// Read-only float32 weights: either a view into a memory-mapped checkpoint (float32 files need no copy, so
/// resident memory is the weights once) or a converted copy that this value owns.
struct Weights: @unchecked Sendable {
    let pointer: UnsafePointer<Float>
    let count: Int
    /// Keeps the mapping or the owned allocation alive.
    let owner: AnyObject

    init(pointer: UnsafePointer<Float>, count: Int, owner: AnyObject) {
        self.pointer = pointer
        self.count = count
        self.owner = owner
    }

    /// Copies an array into an owned allocation.
    init(_ values: [Float]) {
        let storage = OwnedFloats(values)
        self.init(pointer: UnsafePointer(storage.pointer), count: values.count, owner: storage)
    }

    @inline(__always)
    subscript(index: Int) -> Float { pointer[index] }
}

/// An owned float allocation, freed with the last reference.
final class OwnedFloats {
    let pointer: UnsafeMutablePointer<Float>

    init(_ values: [Float]) {
        pointer = .allocate(capacity: max(values.count, 1))
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.initialize(from: base, count: values.count) }
        }
    }

    deinit { pointer.deallocate() }
}
