import Foundation

/// A value produced by the restricted unpickler. Lists, dicts and objects are reference types because pickle
/// mutates them after they are memoised.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    /// A `GLOBAL module name` reference, not yet called.
    case global(module: String, name: String)
    /// An instance of a class the unpickler does not model (TorchScript modules, unknown classes).
    case object(PickleObject)
    /// A persistent storage reference: `('storage', <Type>Storage, key, location, numel)`.
    case storage(dtype: TensorDType, key: String)
    case tensor(PickledTensor)
    case mark
}

final class PickleList { var items: [PickleValue] = [] }
final class PickleDict { var items: [(key: PickleValue, value: PickleValue)] = [] }
final class PickleObject {
    let module: String
    let name: String
    var state: PickleValue = .none
    init(module: String, name: String) { self.module = module; self.name = name }
}

/// A tensor as `_rebuild_tensor_v2` describes it: a storage key, an element offset, a size and strides.
struct PickledTensor {
    var dtype: TensorDType
    var key: String
    var offset: Int
    var shape: [Int]
    var strides: [Int]
}

/// Unpickles the subset of pickle (protocols 2-5) that `torch.save` and TorchScript write. Only the classes
/// needed to rebuild tensors and containers are interpreted; any other class becomes an inert object, so a
/// checkpoint cannot run code.
struct Unpickler {
    let path: String
    let bytes: [UInt8]
    private var position = 0
    private var stack: [PickleValue] = []
    private var metaStack: [[PickleValue]] = []
    private var memo: [Int: PickleValue] = [:]
    /// Every list, dict and object made, so that those left out of the result can be emptied (see ``load()``).
    private var containers: [AnyObject] = []

    /// The deepest nesting of containers and tuples a result may have (torch's are a few levels deep).
    static let maximumDepth = 1000

    init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    private func fail(_ reason: String) -> CLIPError {
        .notACheckpoint(path: path, reason: "data.pkl: \(reason)")
    }

    private mutating func take(_ count: Int) throws(CLIPError) -> ArraySlice<UInt8> {
        guard count >= 0, position <= bytes.count - count else { throw fail("ends inside an opcode at byte \(position)") }
        defer { position += count }
        return bytes[position ..< position + count]
    }

    private mutating func uint(_ count: Int) throws(CLIPError) -> Int {
        var value = 0
        for (shift, byte) in try take(count).enumerated() { value |= Int(byte) << (8 * shift) }
        return value
    }

    private mutating func line() throws(CLIPError) -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw fail("unterminated text line at byte \(position)") }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    private mutating func pop() throws(CLIPError) -> PickleValue {
        guard let value = stack.popLast() else { throw fail("stack underflow at byte \(position)") }
        return value
    }

    private func top() throws(CLIPError) -> PickleValue {
        guard let value = stack.last else { throw fail("empty stack at byte \(position)") }
        return value
    }

    private mutating func popMark() throws(CLIPError) -> [PickleValue] {
        guard let previous = metaStack.popLast() else { throw fail("MARK missing at byte \(position)") }
        let items = stack
        stack = previous
        return items
    }

    /// Runs the pickle to STOP and returns the top value.
    ///
    /// Lists, dicts and objects are classes, and a pickle can put a container inside itself (`BINGET` of its
    /// memo entry, then `APPEND`): such a cycle would never be freed. A result that holds a cycle, nests deeper
    /// than ``maximumDepth`` or takes too long to walk is refused, and every container not part of the result is
    /// emptied, whether the load succeeded or not, so nothing a damaged or hostile file builds outlives the call.
    mutating func load() throws(CLIPError) -> PickleValue {
        defer { stack = []; metaStack = []; memo = [:]; containers = [] }
        let value: PickleValue
        do {
            value = try run()
        } catch {
            release(keeping: [])
            throw error
        }
        guard let reachable = Self.reachableContainers(in: value, budget: max(1 << 20, 64 * bytes.count)) else {
            release(keeping: [])
            throw fail("containers that hold themselves, or nest deeper than \(Self.maximumDepth) levels")
        }
        release(keeping: reachable)
        return value
    }

    /// Empties every container made that is not in `keeping`, which breaks any cycle among them.
    private func release(keeping: Set<ObjectIdentifier>) {
        for container in containers where !keeping.contains(ObjectIdentifier(container)) {
            if let list = container as? PickleList { list.items = [] }
            if let dict = container as? PickleDict { dict.items = [] }
            if let object = container as? PickleObject { object.state = .none }
        }
    }

    /// The containers reachable from `root`; nil when a container reaches itself, nesting passes
    /// ``maximumDepth``, or the walk takes more than `budget` steps (shared tuples are walked once per use).
    static func reachableContainers(in root: PickleValue, budget: Int) -> Set<ObjectIdentifier>? {
        func identifier(_ value: PickleValue) -> ObjectIdentifier? {
            switch value {
            case .list(let list): ObjectIdentifier(list)
            case .dict(let dict): ObjectIdentifier(dict)
            case .object(let object): ObjectIdentifier(object)
            default: nil
            }
        }
        func children(_ value: PickleValue) -> [PickleValue] {
            switch value {
            case .tuple(let items): items
            case .list(let list): list.items
            case .dict(let dict): dict.items.flatMap { [$0.key, $0.value] }
            case .object(let object): [object.state]
            default: []
            }
        }
        var done = Set<ObjectIdentifier>(), onPath = Set<ObjectIdentifier>()
        var frames: [(children: [PickleValue], next: Int, id: ObjectIdentifier?)] = [(children(root), 0, identifier(root))]
        if let id = identifier(root) { onPath.insert(id) }
        var steps = 0
        while let top = frames.indices.last {
            guard frames[top].next < frames[top].children.count else {
                if let id = frames[top].id { onPath.remove(id); done.insert(id) }
                frames.removeLast()
                continue
            }
            let child = frames[top].children[frames[top].next]
            frames[top].next += 1
            steps += 1
            guard steps <= budget else { return nil }
            let id = identifier(child)
            if let id {
                if onPath.contains(id) { return nil }
                if done.contains(id) { continue }
                onPath.insert(id)
            }
            guard frames.count < maximumDepth else { return nil }
            frames.append((children(child), 0, id))
        }
        return done
    }

    /// A tuple of `items`, refused when tuples would nest deeper than ``maximumDepth`` (found by the fuzzer: a
    /// chain of 200,000 `TUPLE1` opcodes overflowed the stack when the value was freed) or when the tuples inside
    /// it are too many to check (more than 65,536, as shared tuples `(t, t)` nested 16 deep make).
    private func tuple(_ items: [PickleValue]) throws(CLIPError) -> PickleValue {
        var pending: [(value: PickleValue, depth: Int)] = []
        for item in items { if case .tuple = item { pending.append((item, 1)) } }
        var budget = 1 << 16
        while let (value, depth) = pending.popLast() {
            guard case .tuple(let inner) = value else { continue }
            budget -= 1
            guard depth < Self.maximumDepth, budget > 0 else {
                throw fail("tuples nest deeper than \(Self.maximumDepth) levels or hold more than 65,536 tuples")
            }
            for item in inner { if case .tuple = item { pending.append((item, depth + 1)) } }
        }
        return .tuple(items)
    }

    /// Pushes a value made here, keeping containers in ``containers``.
    private mutating func push(_ value: PickleValue) {
        switch value {
        case .list(let list): containers.append(list)
        case .dict(let dict): containers.append(dict)
        case .object(let object): containers.append(object)
        default: break
        }
        stack.append(value)
    }

    private mutating func run() throws(CLIPError) -> PickleValue {
        while true {
            let opcode = try uint(1)
            switch opcode {
            case 0x80: _ = try uint(1)                                        // PROTO
            case 0x95: _ = try uint(8)                                        // FRAME
            case 0x2E: return try pop()                                       // STOP
            case 0x28: metaStack.append(stack); stack = []                    // MARK
            case 0x4E: stack.append(.none)                                    // NONE
            case 0x88: stack.append(.bool(true))                              // NEWTRUE
            case 0x89: stack.append(.bool(false))                             // NEWFALSE
            case 0x4A: stack.append(.int(Int(Int32(truncatingIfNeeded: try uint(4)))))  // BININT
            case 0x4B: stack.append(.int(try uint(1)))                        // BININT1
            case 0x4D: stack.append(.int(try uint(2)))                        // BININT2
            case 0x8A:                                                        // LONG1
                let length = try uint(1)
                let raw = try take(length)
                guard length <= 8 else { throw fail("integer of \(length) bytes is too large") }
                var value: Int64 = 0
                for (shift, byte) in raw.enumerated() { value |= Int64(byte) << (8 * Int64(shift)) }
                if length > 0 && length < 8 && raw.last! & 0x80 != 0 { value -= Int64(1) << (8 * Int64(length)) }
                stack.append(.int(Int(value)))
            case 0x47:                                                        // BINFLOAT (big-endian)
                var bits: UInt64 = 0
                for byte in try take(8) { bits = bits << 8 | UInt64(byte) }
                stack.append(.float(Double(bitPattern: bits)))
            case 0x58: stack.append(.string(try text(try uint(4))))           // BINUNICODE
            case 0x8C: stack.append(.string(try text(try uint(1))))           // SHORT_BINUNICODE
            case 0x8D: stack.append(.string(try text(try uint(8))))           // BINUNICODE8
            case 0x55: stack.append(.string(try text(try uint(1))))           // SHORT_BINSTRING
            case 0x54: stack.append(.string(try text(try uint(4))))           // BINSTRING
            case 0x43: stack.append(.bytes(Array(try take(try uint(1)))))     // SHORT_BINBYTES
            case 0x42: stack.append(.bytes(Array(try take(try uint(4)))))     // BINBYTES
            case 0x29: stack.append(.tuple([]))                               // EMPTY_TUPLE
            case 0x74: stack.append(try tuple(try popMark()))                 // TUPLE
            case 0x85: stack.append(try tuple([try pop()]))                   // TUPLE1
            case 0x86: let b = try pop(), a = try pop(); stack.append(try tuple([a, b]))       // TUPLE2
            case 0x87: let c = try pop(), b = try pop(), a = try pop(); stack.append(try tuple([a, b, c]))  // TUPLE3
            case 0x5D: push(.list(PickleList()))                              // EMPTY_LIST
            case 0x6C: let list = PickleList(); list.items = try popMark(); push(.list(list))  // LIST
            case 0x7D: push(.dict(PickleDict()))                              // EMPTY_DICT
            case 0x61:                                                        // APPEND
                let value = try pop()
                guard case .list(let list) = stack.last else { throw fail("APPEND to a non-list") }
                list.items.append(value)
            case 0x65:                                                        // APPENDS
                let values = try popMark()
                guard case .list(let list) = stack.last else { throw fail("APPENDS to a non-list") }
                list.items += values
            case 0x73:                                                        // SETITEM
                let value = try pop(), key = try pop()
                try setItems([key, value])
            case 0x75: try setItems(try popMark())                            // SETITEMS
            case 0x71: memo[try uint(1)] = try top()                // BINPUT
            case 0x72: memo[try uint(4)] = try top()                // LONG_BINPUT
            case 0x94: memo[memo.count] = try top()                 // MEMOIZE
            case 0x68: stack.append(try recall(try uint(1)))                  // BINGET
            case 0x6A: stack.append(try recall(try uint(4)))                  // LONG_BINGET
            case 0x30: _ = try pop()                                          // POP
            case 0x31: _ = try popMark()                                      // POP_MARK
            case 0x32: stack.append(try top())                      // DUP
            case 0x63:                                                        // GLOBAL
                let module = try line(), name = try line()
                stack.append(.global(module: module, name: name))
            case 0x93:                                                        // STACK_GLOBAL
                guard case .string(let name) = try pop(), case .string(let module) = try pop() else {
                    throw fail("STACK_GLOBAL without two strings")
                }
                stack.append(.global(module: module, name: name))
            case 0x51: stack.append(try persistent(try pop()))                // BINPERSID
            case 0x52:                                                        // REDUCE
                let arguments = try pop(), callable = try pop()
                push(try reduce(callable, arguments))
            case 0x81:                                                        // NEWOBJ
                _ = try pop()
                guard case .global(let module, let name) = try pop() else { throw fail("NEWOBJ on a non-class") }
                push(.object(PickleObject(module: module, name: name)))
            case 0x62:                                                        // BUILD
                let state = try pop()
                if case .object(let object) = stack.last { object.state = state }
                // Containers (OrderedDict `_metadata`) and tensors ignore their state.
            default:
                throw fail(String(format: "unsupported pickle opcode 0x%02X at byte %d", opcode, position - 1))
            }
        }
    }

    private mutating func text(_ length: Int) throws(CLIPError) -> String {
        String(decoding: try take(length), as: UTF8.self)
    }

    private func recall(_ index: Int) throws(CLIPError) -> PickleValue {
        guard let value = memo[index] else { throw fail("memo \(index) read before it was written") }
        return value
    }

    private mutating func setItems(_ flat: [PickleValue]) throws(CLIPError) {
        guard flat.count % 2 == 0 else { throw fail("SETITEMS with an odd number of values") }
        let target: PickleDict
        switch stack.last {
        case .dict(let dict): target = dict
        case .object(let object):
            // Objects whose class we do not model but which behave as dicts (OrderedDict subclasses).
            if case .dict(let dict) = object.state { target = dict } else {
                let dict = PickleDict(); object.state = .dict(dict); target = dict; containers.append(dict)
            }
        default: throw fail("SETITEMS on a non-dict")
        }
        for index in stride(from: 0, to: flat.count, by: 2) {
            target.items.append((flat[index], flat[index + 1]))
        }
    }

    private static let storageTypes: [String: TensorDType] = [
        "FloatStorage": .float32, "HalfStorage": .float16, "BFloat16Storage": .bfloat16, "DoubleStorage": .float64,
        "LongStorage": .int64, "IntStorage": .int32, "ShortStorage": .int16, "CharStorage": .int8,
        "ByteStorage": .uint8, "BoolStorage": .bool,
    ]

    private func persistent(_ id: PickleValue) throws(CLIPError) -> PickleValue {
        guard case .tuple(let parts) = id, parts.count >= 3, case .string("storage") = parts[0],
              case .global(_, let typeName) = parts[1] else {
            throw fail("a persistent id that is not a tensor storage")
        }
        guard let dtype = Self.storageTypes[typeName] else {
            throw fail("storage type \(typeName) is not supported")
        }
        let key: String
        switch parts[2] {
        case .string(let text): key = text
        case .int(let number): key = String(number)
        default: throw fail("storage key is neither text nor integer")
        }
        return .storage(dtype: dtype, key: key)
    }

    private func ints(_ value: PickleValue, _ what: String) throws(CLIPError) -> [Int] {
        guard case .tuple(let items) = value else { throw fail("\(what) is not a tuple") }
        var result: [Int] = []
        for item in items {
            guard case .int(let number) = item else { throw fail("\(what) holds a non-integer") }
            result.append(number)
        }
        return result
    }

    private func reduce(_ callable: PickleValue, _ arguments: PickleValue) throws(CLIPError) -> PickleValue {
        guard case .global(let module, let name) = callable else { throw fail("REDUCE on a non-callable") }
        guard case .tuple(let args) = arguments else { throw fail("REDUCE arguments are not a tuple") }
        switch (module, name) {
        case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"):
            guard args.count >= 4, case .storage(let dtype, let key) = args[0], case .int(let offset) = args[1] else {
                throw fail("_rebuild_tensor_v2 with unexpected arguments")
            }
            return .tensor(PickledTensor(dtype: dtype, key: key, offset: offset,
                                         shape: try ints(args[2], "tensor size"), strides: try ints(args[3], "tensor stride")))
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            guard let data = args.first else { throw fail("_rebuild_parameter without data") }
            return data
        case ("collections", "OrderedDict"), ("builtins", "dict"):
            return .dict(PickleDict())
        case ("torch", "device"), ("torch", "Size"):
            return args.first ?? .none
        default:
            // Unknown callables (e.g. numpy scalars in training metadata) become inert objects.
            let object = PickleObject(module: module, name: name)
            object.state = arguments
            return .object(object)
        }
    }
}
