import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Progress on stderr: a redrawn bar on a terminal, plain throttled lines otherwise, nothing when disabled.
final class ProgressReporter {
    private let label: String
    private let enabled: Bool
    private let isTerminal: Bool
    private var lastDraw = 0.0
    private var lastFraction = -1.0
    private let started = Date()

    init(label: String, enabled: Bool) {
        self.label = label
        self.enabled = enabled
        self.isTerminal = isatty(STDERR_FILENO) == 1
    }

    /// Reports `done` of `total`; cheap to call for every item.
    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        let now = Date().timeIntervalSince(started)
        let fraction = Double(done) / Double(total)
        if isTerminal {
            guard now - lastDraw >= 0.1 || done == total else { return }
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            write("\r\(label) [\(bar)] \(done)/\(total)" + (done == total ? "\n" : ""))
        } else {
            // Plain lines at most every 2 s or every 25 %, and at the end.
            guard done == total || now - lastDraw >= 2 || fraction - lastFraction >= 0.25 else { return }
            lastFraction = fraction
            write("\(label): \(done)/\(total)\n")
        }
        lastDraw = now
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
