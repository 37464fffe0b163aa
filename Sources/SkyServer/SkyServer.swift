import Foundation
import Hummingbird
import Logging
import SkyConcurrency

/// Why `serve` could not start.
public enum ServerStartError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Another process listens on the address.
    case portInUse(host: String, port: Int)
    /// The address could not be bound for another reason.
    case cannotBind(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .portInUse(let host, let port): "\(host):\(port) is already in use by another process"
        case .cannotBind(let host, let port, let reason): "cannot listen on \(host):\(port): \(reason)"
        }
    }
}

/// `skycorpus serve`: the JSON API and the web page over one corpus, on Hummingbird.
public enum SkyServer {
    /// Every route: the API under `/api/`, the page at `/` and its files under `/static/`.
    public static func router(service: CorpusService) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: APIErrorMiddleware())
        BrowseRoutes(service: service).register(on: router)
        SearchRoutes(service: service).register(on: router)
        ImageRoutes(service: service).register(on: router)
        WebRoutes.register(on: router)
        return router
    }

    /// The application listening on the service's configured host and port.
    public static func application(service: CorpusService, logger: Logger? = nil,
                                   onRunning: @escaping @Sendable () async -> Void = {}) -> some ApplicationProtocol {
        var quiet = Logger(label: "skycorpus.serve")
        quiet.logLevel = .critical
        return Application(router: router(service: service),
                           configuration: ApplicationConfiguration(
                               address: .hostname(service.configuration.host, port: service.configuration.port),
                               serverName: "skycorpus"),
                           onServerRunning: { _ in await onRunning() }, logger: logger ?? quiet)
    }

    /// Serves until SIGINT or SIGTERM; `onRunning` is called once the port is bound. A port in use is
    /// ``ServerStartError/portInUse(host:port:)``.
    public static func run(service: CorpusService, onRunning: @escaping @Sendable () -> Void = {}) async throws {
        let (host, port) = (service.configuration.host, service.configuration.port)
        do {
            try await application(service: service, onRunning: { onRunning() }).runService()
        } catch {
            let text = "\(error)"
            if text.contains("Address already in use") || text.contains("errno: 98") {
                throw ServerStartError.portInUse(host: host, port: port)
            }
            throw ServerStartError.cannotBind(host: host, port: port, reason: text)
        }
    }

    /// ``run(service:onRunning:)`` for synchronous callers (the CLI): blocks the calling thread until it ends.
    public static func serve(service: CorpusService, onRunning: @escaping @Sendable () -> Void) throws {
        let outcome = Locked<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await run(service: service, onRunning: onRunning)
            } catch {
                outcome.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let error = outcome.value { throw error }
    }
}
