import CSkyCodecs

/// Whole-buffer gzip inflation (zlib), used for the bundled BPE vocabulary and compressed fixtures.
public enum Gzip {
    /// Inflates one complete gzip stream; `name` is the file the bytes came from, for errors.
    public static func inflate(_ bytes: [UInt8], name: String) throws(CLIPError) -> [UInt8] {
        // The gzip trailer stores the inflated size modulo 2^32; use it as the first capacity guess.
        var capacity = 1 << 16
        if bytes.count >= 18 {
            let n = bytes.count
            let isize = Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
            capacity = max(capacity, isize + 1)
        }
        while capacity <= 1 << 33 {
            var output = [UInt8](repeating: 0, count: capacity)
            let written = bytes.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    csky_gunzip(input.baseAddress, input.count, out.baseAddress, out.count)
                }
            }
            if written >= 0 {
                output.removeSubrange(Int(written)...)
                return output
            }
            if written == -1 {
                throw .badData(path: name, reason: "not a complete gzip stream")
            }
            capacity *= 4
        }
        throw .badData(path: name, reason: "inflates to more than 8 GiB")
    }
}
