import CFuzzDriver
import Foundation

/// The target this process fuzzes, named by `SKYFUZZ_TARGET` (libFuzzer owns the command line).
let selectedTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["SKYFUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: " ")
        FileHandle.standardError.write(Data("SKYFUZZ_TARGET must name a target: \(names)\n".utf8))
        exit(2)
    }
    return target
}()

/// libFuzzer's entry point: one input, run through the selected target.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    selectedTarget.run(bytes)
    return 0
}

/// The executable's entry point: hands the command line to libFuzzer's driver.
@main
enum SkyFuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzTestOneInput(data, size) })
    }
}

/// Checks the target name before fuzzing starts, so a typo fails at once.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    _ = selectedTarget
    return 0
}
