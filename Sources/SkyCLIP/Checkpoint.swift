import Foundation

/// A CLIP checkpoint's named tensors, memory-mapped: safetensors, `torch.save` zip archives (open_clip and
/// RemoteCLIP state dicts, optionally under `state_dict`) or OpenAI TorchScript archives. A leading `module.`
/// (DataParallel) is stripped from every name.
public struct Checkpoint: Sendable {
    /// How the file was written.
    public enum Format: String, Sendable { case safetensors, torchSave = "torch.save", torchScript = "torchscript" }

    /// The file the tensors come from.
    public let path: String
    /// The container format.
    public let format: Format
    /// Tensors by state-dict name.
    public let tensors: [String: StoredTensor]

    /// Opens and indexes a checkpoint; the weights stay in the memory-mapped file until a model reads them.
    public init(path: String) throws(CLIPError) {
        let region = try MappedRegion(path: path)
        let data = region.data
        self.path = path
        var raw: [String: StoredTensor]
        if ZipArchive.isZip(data) {
            (raw, format) = try Self.readTorchArchive(path: path, region: region)
        } else if data.count >= 9, data[data.startIndex + 8] == UInt8(ascii: "{") {
            raw = try SafeTensorsReader.read(path: path, region: region)
            format = .safetensors
        } else {
            throw .notACheckpoint(path: path, reason: "neither a safetensors file nor a PyTorch zip archive (legacy pre-1.6 torch.save files are not supported)")
        }
        if !raw.isEmpty && raw.keys.allSatisfy({ $0.hasPrefix("module.") }) {
            raw = Dictionary(uniqueKeysWithValues: raw.map { (String($0.key.dropFirst("module.".count)), $0.value) })
        }
        guard !raw.isEmpty else { throw .notACheckpoint(path: path, reason: "the file holds no tensors") }
        tensors = raw
    }

    /// The float32 elements of a tensor that must exist with the given shape. With `releasing`, the file pages
    /// it came from leave the resident set afterwards (for tensors that are transformed, such as folded convs).
    public func floats(_ name: String, shape: [Int], releasing: Bool = false) throws(CLIPError) -> [Float] {
        guard let tensor = tensors[name] else {
            throw .missingTensor(path: path, name: name, expected: "shape \(shape)")
        }
        guard tensor.shape == shape else {
            throw .missingTensor(path: path, name: name, expected: "shape \(shape), found \(tensor.shape)")
        }
        let values = tensor.floats()
        if releasing { tensor.region.release(offset: tensor.byteOffset, length: tensor.count * tensor.dtype.size) }
        return values
    }

    /// A tensor that must exist with the given shape, as float32 weights (zero-copy for aligned float32).
    func weights(_ name: String, shape: [Int]) throws(CLIPError) -> Weights {
        guard let tensor = tensors[name] else {
            throw .missingTensor(path: path, name: name, expected: "shape \(shape)")
        }
        guard tensor.shape == shape else {
            throw .missingTensor(path: path, name: name, expected: "shape \(shape), found \(tensor.shape)")
        }
        return tensor.weights()
    }

    /// The shape of a tensor, or nil when absent.
    public func shape(_ name: String) -> [Int]? { tensors[name]?.shape }

    // MARK: torch zip archives

    private static func readTorchArchive(path: String, region: MappedRegion) throws(CLIPError) -> ([String: StoredTensor], Format) {
        let archive = try ZipArchive(path: path, data: region.data)
        guard let first = archive.names.first, let slash = first.firstIndex(of: "/") else {
            throw .notACheckpoint(path: path, reason: "a ZIP archive without PyTorch's top-level folder")
        }
        let prefix = String(first[..<slash])
        guard archive.entries["\(prefix)/data.pkl"] != nil else {
            throw .notACheckpoint(path: path, reason: "a ZIP archive without \(prefix)/data.pkl, so not a PyTorch checkpoint")
        }
        let isScript = archive.names.contains { $0.hasPrefix("\(prefix)/code/") }
        var unpickler = Unpickler(path: path, bytes: try archive.bytes(of: "\(prefix)/data.pkl"))
        let root = try unpickler.load()
        var pickled: [(String, PickledTensor)] = []
        collect(root, name: "", into: &pickled)
        if let nested = pickled.filter({ $0.0.hasPrefix("state_dict.") }).nonEmpty {
            pickled = nested.map { (String($0.0.dropFirst("state_dict.".count)), $0.1) }
        }
        var tensors: [String: StoredTensor] = [:]
        for (name, tensor) in pickled {
            let entry = try archive.storedEntry("\(prefix)/data/\(tensor.key)")
            // The furthest element the view touches must lie inside its storage record.
            // Computed in Double so that absurd sizes or strides cannot overflow.
            var last = Double(tensor.offset)
            for (size, stride) in zip(tensor.shape, tensor.strides) where size > 0 { last += Double(size - 1) * Double(stride) }
            let count = StoredTensor.elementCount(tensor.shape) ?? -1
            guard tensor.offset >= 0, count >= 0, tensor.strides.count == tensor.shape.count,
                  tensor.strides.allSatisfy({ $0 >= 0 }),
                  count == 0 || (last + 1) * Double(tensor.dtype.size) <= Double(entry.size) else {
                throw .notACheckpoint(path: path, reason: "tensor \(name) reaches past its storage record data/\(tensor.key)")
            }
            tensors[name] = StoredTensor(dtype: tensor.dtype, shape: tensor.shape, strides: tensor.strides,
                                         region: region, byteOffset: entry.dataOffset + tensor.offset * tensor.dtype.size)
        }
        return (tensors, isScript ? .torchScript : .torchSave)
    }

    /// Walks dicts and TorchScript module objects, joining attribute names with ".".
    private static func collect(_ value: PickleValue, name: String, into out: inout [(String, PickledTensor)]) {
        func join(_ key: String) -> String { name.isEmpty ? key : "\(name).\(key)" }
        switch value {
        case .tensor(let tensor):
            out.append((name, tensor))
        case .dict(let dict):
            for (key, item) in dict.items {
                switch key {
                case .string(let text): collect(item, name: join(text), into: &out)
                case .int(let number): collect(item, name: join(String(number)), into: &out)
                default: continue
                }
            }
        case .object(let object):
            collect(object.state, name: name, into: &out)
        default:
            return
        }
    }
}

extension Array {
    /// The array, or nil when it is empty.
    var nonEmpty: Self? { isEmpty ? nil : self }
}
