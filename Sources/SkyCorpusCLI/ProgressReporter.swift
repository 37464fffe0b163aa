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
        let pace = Self.pace(done: done, total: total, seconds: now)
        if isTerminal {
            guard now - lastDraw >= 0.1 || done == total else { return }
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            write("\r\(label) [\(bar)] \(done)/\(total)\(pace)\u{1B}[K" + (done == total ? "\n" : ""))
        } else {
            // Plain lines at most every 2 s or every 25 %, and at the end.
            guard done == total || now - lastDraw >= 2 || fraction - lastFraction >= 0.25 else { return }
            lastFraction = fraction
            write("\(label): \(done)/\(total)\(pace)\n")
        }
        lastDraw = now
    }

    /// ", 12.3/s, ETA 1m05s" once a second has passed and something is done; at the end the rate and the time.
    static func pace(done: Int, total: Int, seconds: Double) -> String {
        guard seconds >= 1, done > 0 else { return "" }
        let rate = Double(done) / seconds
        let rateText = rate >= 100 ? String(format: "%.0f/s", rate) : String(format: "%.1f/s", rate)
        if done >= total { return ", \(rateText), took \(duration(seconds))" }
        return ", \(rateText), ETA \(duration(Double(total - done) / rate))"
    }

    /// 42s, 3m07s, 2h05m.
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        return String(format: "%dh%02dm", whole / 3600, whole % 3600 / 60)
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
