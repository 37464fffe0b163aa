#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads files into byte arrays with plain POSIX calls (no Foundation copies on the hot path).
public enum FileBytes {
    /// The whole file.
    public static func read(_ path: String) throws(ImageError) -> [UInt8] {
        try read(path, limit: nil)
    }

    /// At most `limit` bytes from the start of the file (the whole file when nil).
    public static func read(_ path: String, limit: Int?) throws(ImageError) -> [UInt8] {
        try OpenFile(path).read(limit: limit)
    }

    /// Writes bytes to a file through a temporary sibling and a rename, so readers never see half a file.
    public static func write(_ bytes: [UInt8], to path: String) throws(ImageError) {
        let temporary = path + ".partial-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw .unreadable(path: path, reason: "cannot create: " + String(cString: strerror(errno)))
        }
        var written = 0
        var failure: Int32 = 0
        bytes.withUnsafeBufferPointer { buffer in
            while written < buffer.count {
                let done = Glibc_write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if done < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                written += done
            }
        }
        close(descriptor)
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw .unreadable(path: path, reason: "cannot write: " + String(cString: strerror(failure)))
        }
    }

    /// The size of the file in bytes.
    public static func size(_ path: String) throws(ImageError) -> Int {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        return Int(status.st_size)
    }
}

/// A file opened once for reading: its first bytes (to sniff the format), any run of its bytes, and, inside SkyImaging,
/// its descriptor for a codec that reads the file as it asks (libtiff); closed when the value goes away. Reading a file's kind, then its
/// strips or its whole bytes, through one value opens it once.
public struct OpenFile: ~Copyable {
    /// The path it was opened from; errors name it.
    public let path: String
    /// The open descriptor, owned by this value (for this module's codecs; it never leaves SkyImaging).
    let descriptor: Int32
    /// The size in bytes when it was opened.
    public let size: Int

    /// Opens a regular file; a missing file, a folder or an unreadable one throws, naming it.
    public init(_ path: String) throws(ImageError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .unreadable(path: path, reason: reason)
        }
        guard (status.st_mode & S_IFMT) != S_IFDIR else {
            close(descriptor)
            throw .unreadable(path: path, reason: "it is a directory")
        }
        self.path = path
        self.descriptor = descriptor
        self.size = Int(status.st_size)
    }

    deinit { close(descriptor) }

    /// At most `limit` bytes from `offset` (to the end when nil); fewer where the file ends first.
    public func read(from offset: Int = 0, limit: Int? = nil) throws(ImageError) -> [UInt8] {
        let wanted = max(0, min(size - offset, limit ?? size))
        var failure: Int32 = 0
        let descriptor = descriptor
        let bytes = [UInt8](unsafeUninitializedCapacity: wanted) { buffer, count in
            var filled = 0
            while filled < wanted {
                let got = pread(descriptor, buffer.baseAddress! + filled, wanted - filled, off_t(offset + filled))
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if got == 0 { break }
                filled += got
            }
            count = filled
        }
        if failure != 0 { throw .unreadable(path: path, reason: String(cString: strerror(failure))) }
        return bytes
    }

    /// Calls `body` with the file's bytes in order, `chunk` bytes at a time (the last one shorter), so a file of
    /// gigabytes is read in bounded memory.
    public func forEachChunk(of chunk: Int = 4 << 20, _ body: ([UInt8]) -> Void) throws(ImageError) {
        var offset = 0
        while offset < size {
            let bytes = try read(from: offset, limit: chunk)
            if bytes.isEmpty { break }
            body(bytes)
            offset += bytes.count
        }
    }
}

@inline(__always)
private func Glibc_write(_ descriptor: Int32, _ buffer: UnsafePointer<UInt8>, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(descriptor, buffer, count)
    #else
    return Darwin.write(descriptor, buffer, count)
    #endif
}
