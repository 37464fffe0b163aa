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
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            throw .unreadable(path: path, reason: "it is a directory")
        }
        let size = Int(status.st_size)
        let wanted = min(size, limit ?? size)
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: wanted) { buffer, count in
            var filled = 0
            while filled < wanted {
                let got = Glibc_read(descriptor, buffer.baseAddress! + filled, wanted - filled)
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
        if failure != 0 {
            throw .unreadable(path: path, reason: String(cString: strerror(failure)))
        }
        return bytes
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

@inline(__always)
private func Glibc_read(_ descriptor: Int32, _ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(descriptor, buffer, count)
    #else
    return Darwin.read(descriptor, buffer, count)
    #endif
}

@inline(__always)
private func Glibc_write(_ descriptor: Int32, _ buffer: UnsafePointer<UInt8>, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(descriptor, buffer, count)
    #else
    return Darwin.write(descriptor, buffer, count)
    #endif
}
