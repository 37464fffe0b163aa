#pragma once
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (libclang_rt.fuzzer): parses the command line and runs the fuzzing loop with `callback`.
/// SkyFuzz calls it from its own entry point, since SwiftPM gives every executable a Swift `main`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
