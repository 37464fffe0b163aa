import Foundation
import SkyServer
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Starting the server: a port another process listens on is a one-line error, not a crash.
@Suite struct ServeTests {
    /// A listening loopback socket on a free port; its port.
    static func occupyPort() throws -> (socket: Int32, port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(descriptor, raw, length) == 0 && listen(descriptor, 4) == 0 && getsockname(descriptor, raw, &length) == 0
            }
        }
        try #require(bound, "cannot bind a loopback socket")
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test func aPortInUseIsAOneLineError() async throws {
        let (descriptor, port) = try Self.occupyPort()
        defer { close(descriptor) }
        let base = try ServerFixture.shared.service(withModel: false)
        let service = CorpusService(corpus: base.corpus, search: base.search,
                                    configuration: ServerConfiguration(port: port))
        await #expect(throws: ServerStartError.portInUse(host: "127.0.0.1", port: port)) {
            try await SkyServer.run(service: service)
        }
        #expect(!"\(ServerStartError.portInUse(host: "127.0.0.1", port: port))".contains("\n"))
    }
}
