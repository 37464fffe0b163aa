import Foundation

/// A read-only view of a stored (uncompressed) ZIP archive such as `torch.save` writes: entry sizes and offsets
/// come from the central directory (torch's local headers leave them zero), with ZIP64 records honoured.
struct ZipArchive {
    struct Entry {
        var name: String
        var dataOffset: Int
        var size: Int
        var method: Int
    }

    let path: String
    let data: Data
    private(set) var entries: [String: Entry] = [:]
    /// Entry names in central-directory order.
    private(set) var names: [String] = []

    static func isZip(_ data: Data) -> Bool {
        data.count >= 4 && data.prefix(4).elementsEqual([0x50, 0x4B, 0x03, 0x04])
    }

    init(path: String, data: Data) throws(CLIPError) {
        self.path = path
        self.data = data
        let reader = ByteReader(data: data, path: path)
        // The end-of-central-directory record sits in the last 22 + 65,535 bytes.
        var eocd = -1
        var position = data.count - 22
        let lowest = max(0, data.count - 22 - 65_535)
        while position >= lowest {
            if try reader.u32(position) == 0x0605_4B50 { eocd = position; break }
            position -= 1
        }
        guard eocd >= 0 else { throw .notACheckpoint(path: path, reason: "a ZIP archive without its end-of-central-directory record (truncated?)") }
        var count = try reader.u16(eocd + 10)
        var directorySize = try reader.u32(eocd + 12)
        var directoryOffset = try reader.u32(eocd + 16)
        // ZIP64: the locator sits just before the classic record and points at the ZIP64 record.
        if eocd >= 20, try reader.u32(eocd - 20) == 0x0706_4B50 {
            let record = try reader.offset64(eocd - 12)
            guard try reader.u32(record) == 0x0606_4B50 else {
                throw .notACheckpoint(path: path, reason: "ZIP64 locator points at \(record), where no ZIP64 record lies")
            }
            count = try reader.offset64(record + 32)
            directorySize = try reader.offset64(record + 40)
            directoryOffset = try reader.offset64(record + 48)
        }
        try reader.require(directoryOffset, directorySize, "the ZIP central directory")
        var cursor = directoryOffset
        for _ in 0..<count {
            guard try reader.u32(cursor) == 0x0201_4B50 else {
                throw .notACheckpoint(path: path, reason: "damaged ZIP central directory at byte \(cursor)")
            }
            let method = try reader.u16(cursor + 10)
            var size = try reader.u32(cursor + 24)
            let uncompressed = try reader.u32(cursor + 24)
            var compressedSize = try reader.u32(cursor + 20)
            let nameLength = try reader.u16(cursor + 28)
            let extraLength = try reader.u16(cursor + 30)
            let commentLength = try reader.u16(cursor + 32)
            var localOffset = try reader.u32(cursor + 42)
            let name = String(decoding: try reader.bytes(cursor + 46, nameLength), as: UTF8.self)
            // ZIP64 extra field (id 1): 64-bit values for the fields saturated at 0xFFFFFFFF, in this order.
            var extra = cursor + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = try reader.u16(extra)
                let length = try reader.u16(extra + 2)
                if id == 1 {
                    var field = extra + 4
                    if uncompressed == 0xFFFF_FFFF { size = try reader.offset64(field); field += 8 }
                    if compressedSize == 0xFFFF_FFFF { compressedSize = try reader.offset64(field); field += 8 }
                    if localOffset == 0xFFFF_FFFF { localOffset = try reader.offset64(field) }
                }
                extra += 4 + length
            }
            // The data follows the local header, whose name and extra lengths may differ from the central copy.
            guard try reader.u32(localOffset) == 0x0403_4B50 else {
                throw .notACheckpoint(path: path, reason: "ZIP entry \(name) has no local header at \(localOffset)")
            }
            let dataOffset = localOffset + 30 + (try reader.u16(localOffset + 26)) + (try reader.u16(localOffset + 28))
            try reader.require(dataOffset, compressedSize, "ZIP entry \(name)")
            entries[name] = Entry(name: name, dataOffset: dataOffset, size: size, method: method)
            names.append(name)
            cursor += 46 + nameLength + extraLength + commentLength
        }
    }

    /// The bytes of a stored entry; compressed entries are refused (torch writes every record stored).
    func bytes(of name: String) throws(CLIPError) -> [UInt8] {
        let entry = try storedEntry(name)
        return try ByteReader(data: data, path: path).bytes(entry.dataOffset, entry.size)
    }

    func storedEntry(_ name: String) throws(CLIPError) -> Entry {
        guard let entry = entries[name] else {
            throw .notACheckpoint(path: path, reason: "the archive has no \(name)")
        }
        guard entry.method == 0 else {
            throw .notACheckpoint(path: path, reason: "ZIP entry \(name) is compressed (method \(entry.method)); torch checkpoints store records uncompressed")
        }
        return entry
    }
}
