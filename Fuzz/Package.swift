// swift-tools-version:6.0
import PackageDescription

/// libFuzzer targets for SkyCorpus's decoders, annotation readers and checkpoint readers.
/// Built and run by `Scripts/fuzz.sh` (release, `-sanitize=fuzzer,address`, `-enable-testing`); see Fuzz/README.md.
let package = Package(
    name: "SkyCorpusFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "SkyCorpus", path: "..")],
    targets: [
        .target(name: "CFuzzDriver"),
        .executableTarget(
            name: "SkyFuzz",
            dependencies: [
                "CFuzzDriver",
                .product(name: "SkyImaging", package: "SkyCorpus"),
                .product(name: "SkyDatasets", package: "SkyCorpus"),
                .product(name: "SkyCLIP", package: "SkyCorpus"),
                .product(name: "SkyRecipe", package: "SkyCorpus"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
