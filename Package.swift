// swift-tools-version:6.0
import PackageDescription

/// SkyCorpus: remote-sensing image-text corpora (ingest, M2B, B2C, p-Hash dedup, CLIP) as one Swift package.
let package = Package(
    name: "SkyCorpus",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SkyCorpus", targets: [
            "SkyImaging", "SkyGeometry", "SkyDatasets", "SkyText", "SkyHashing",
            "SkyCorpusStore", "SkyCLIP", "SkySearch", "SkySchemas",
        ]),
        .library(name: "SkyImaging", targets: ["SkyImaging"]),
        .library(name: "SkyGeometry", targets: ["SkyGeometry"]),
        .library(name: "SkyDatasets", targets: ["SkyDatasets"]),
        .library(name: "SkyText", targets: ["SkyText"]),
        .library(name: "SkyHashing", targets: ["SkyHashing"]),
        .library(name: "SkyCorpusStore", targets: ["SkyCorpusStore"]),
        .library(name: "SkyCLIP", targets: ["SkyCLIP"]),
        .library(name: "SkySearch", targets: ["SkySearch"]),
        .executable(name: "skycorpus", targets: ["SkyCorpusCLI"]),
        .executable(name: "skybench", targets: ["SkyBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // C: libpng, libjpeg-turbo, libdeflate (fast path for 8-bit PNGs) and libtiff. Every setjmp/longjmp stays here.
        .target(
            name: "CSkyCodecs",
            linkerSettings: [
                .linkedLibrary("png"), .linkedLibrary("jpeg"), .linkedLibrary("z"), .linkedLibrary("deflate"),
                .linkedLibrary("tiff"),
            ]
        ),
        // C: SkyCLIP's own GEMM (AVX2+FMA, chosen at run time, self-checked) and the machine-limit probes.
        .target(name: "CSkyKernels"),
        // System library: OpenBLAS (cblas.h).
        .systemLibrary(name: "CSkyBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // Data: the corpus DDL, palettes, class tables, caption and prompt templates.
        .target(
            name: "SkySchemas",
            path: "Schemas",
            exclude: ["README.md"],
            sources: ["SkySchemas.swift"],
            resources: [
                .copy("corpus.sql"), .copy("palettes"), .copy("classes"),
                .copy("captions"), .copy("prompts"),
            ]
        ),
        .target(name: "SkyImaging", dependencies: ["CSkyCodecs"]),
        .target(name: "SkyGeometry", dependencies: ["SkyImaging", "SkySchemas"]),
        .target(name: "SkyDatasets", dependencies: ["SkyImaging", "SkyGeometry"]),
        .target(name: "SkyText", dependencies: ["SkyGeometry", "SkySchemas"]),
        .target(name: "SkyHashing", dependencies: ["SkyImaging"]),
        .target(name: "SkyCLIP", dependencies: ["SkyImaging", "CSkyBLAS", "CSkyCodecs", "CSkyKernels"], resources: [.copy("Resources")]),
        .target(
            name: "SkyCorpusStore",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                "SkySchemas", "SkyImaging", "SkyGeometry", "SkyDatasets", "SkyText", "SkyHashing",
            ]
        ),
        .target(name: "SkySearch", dependencies: ["SkyCLIP", "SkyCorpusStore", "SkyDatasets", "SkyText", "CSkyBLAS"]),
        .executableTarget(
            name: "SkyCorpusCLI",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "SkyImaging", "SkyGeometry", "SkyDatasets", "SkyText", "SkyHashing",
                "SkyCorpusStore", "SkyCLIP", "SkySearch",
            ]
        ),
        // In-process timing of the hot paths, driven by the runners in Benchmarks/.
        .executableTarget(
            name: "SkyBench",
            dependencies: [
                "SkyImaging", "SkyGeometry", "SkyDatasets", "SkyText", "SkyHashing",
                "SkyCorpusStore", "SkyCLIP", "SkySearch", "CSkyKernels", "CSkyBLAS",
            ],
            path: "Benchmarks/SkyBench"
        ),
        .target(name: "SkyTestSupport", path: "Tests/SkyTestSupport"),
        .testTarget(name: "SkyImagingTests", dependencies: ["SkyImaging", "SkyHashing", "SkyTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SkyGeometryTests", dependencies: ["SkyGeometry", "SkyTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SkyDatasetsTests", dependencies: ["SkyDatasets", "SkyText", "SkyCorpusStore"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "SkyTextTests", dependencies: ["SkyText", "SkyImaging", "SkyCorpusStore", "SkyCLIP", .product(name: "GRDB", package: "GRDB.swift")], resources: [.copy("Fixtures")]),
        .testTarget(name: "SkyHashingTests", dependencies: ["SkyHashing", "SkyTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SkyCLIPTests", dependencies: ["SkyCLIP", "SkyImaging", "SkyHashing", "SkyCorpusStore", "SkyTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SkyCorpusStoreTests", dependencies: ["SkyCorpusStore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "SkySearchTests", dependencies: ["SkySearch", "SkyCLIP", "SkyText", "SkyImaging", "SkyCorpusStore", .product(name: "GRDB", package: "GRDB.swift")], resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
