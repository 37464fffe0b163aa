import Foundation

/// Reads the tensors of a `.safetensors` file (8-byte header length, JSON header, byte buffer), memory-mapped.
enum SafeTensorsReader {
    static let maxHeaderSize = 100_000_000

    static func read(path: String, region: MappedRegion) throws(CLIPError) -> [String: StoredTensor] {
        let data = region.data
        let reader = ByteReader(data: data, path: path)
        guard data.count >= 8 else { throw .notACheckpoint(path: path, reason: "shorter than a safetensors header") }
        let headerSize = try reader.u64(0)
        guard headerSize <= UInt64(maxHeaderSize), Int(headerSize) <= data.count - 8 else {
            throw .notACheckpoint(path: path, reason: "safetensors header length \(headerSize) does not fit the file")
        }
        let headerBytes = try reader.bytes(8, Int(headerSize))
        guard headerBytes.first == UInt8(ascii: "{"),
              let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any] else {
            throw .notACheckpoint(path: path, reason: "the safetensors header is not a JSON object")
        }
        let bufferStart = 8 + Int(headerSize)
        let bufferSize = data.count - bufferStart
        var tensors: [String: StoredTensor] = [:]
        var ranges: [(Int, Int, String)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any],
                  let dtypeName = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int],
                  let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
                throw .notACheckpoint(path: path, reason: "header entry \"\(name)\" lacks dtype, shape or data_offsets")
            }
            guard let dtype = TensorDType(rawValue: dtypeName) else {
                throw .notACheckpoint(path: path, reason: "tensor \"\(name)\" has dtype \(dtypeName), which SkyCorpus does not read")
            }
            let (begin, end) = (offsets[0], offsets[1])
            let count = StoredTensor.elementCount(shape) ?? -1
            guard count >= 0, count <= bufferSize, begin >= 0, end >= begin, end <= bufferSize,
                  end - begin == count * dtype.size else {
                throw .notACheckpoint(path: path, reason: "tensor \"\(name)\": offsets \(begin)..<\(end) do not match shape \(shape) \(dtypeName) within the \(bufferSize)-byte buffer")
            }
            ranges.append((begin, end, name))
            tensors[name] = StoredTensor(dtype: dtype, shape: shape, strides: StoredTensor.contiguousStrides(shape),
                                         region: region, byteOffset: bufferStart + begin)
        }
        // The format requires the tensors to tile the buffer exactly.
        ranges.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        var expected = 0
        for (begin, end, name) in ranges {
            guard begin == expected else {
                throw .notACheckpoint(path: path, reason: "tensor \"\(name)\" starts at \(begin), expected \(expected) (overlap or hole)")
            }
            expected = end
        }
        guard expected == bufferSize else {
            throw .notACheckpoint(path: path, reason: "the tensors cover \(expected) of \(bufferSize) buffer bytes")
        }
        return tensors
    }
}
