import Foundation
import SkyTestSupport

/// Runs the built `skycorpus` binary (beside the test bundle) and captures what it printed and its exit status.
struct CommandRunner {
    /// What one run printed and returned.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The binary: `swift build --build-tests` (and `swift test`) build it beside the test bundle.
    static let binary: URL = {
        let bundleFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let beside = bundleFolder.appendingPathComponent("skycorpus")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return TestPaths.package(".build/debug/skycorpus")
    }()

    static var available: Bool { FileManager.default.isExecutableFile(atPath: binary.path) }

    /// Runs `skycorpus ARGUMENTS` in `directory`, with `environment` added to this process's environment.
    static func run(_ arguments: [String], in directory: URL? = nil,
                    environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes to the end before waiting, so a chatty run cannot fill a pipe and block.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
