// swift-tools-version:6.0
import PackageDescription

/// SkyCorpus: remote-sensing image-text corpora (ingest, M2B, B2C, p-Hash dedup, CLIP) as one Swift package.
let package = Package(
    name: "SkyCorpus",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SkyCorpus", targets: [
            "SkyImaging", "SkyGeometry", "SkyDatasets", "SkyText", "SkyHashing",
            "SkyStorage", "SkyPipeline", "SkyCLIP", "SkySearch", "SkySchemas", "SkyRecipe", "SkyBuild",
        ]),
        .library(name: "SkyImaging", targets: ["SkyImaging"]),
        .library(name: "SkyGeometry", targets: ["SkyGeometry"]),
        .library(name: "SkyDatasets", targets: ["SkyDatasets"]),
        .library(name: "SkyText", targets: ["SkyText"]),
        .library(name: "SkyHashing", targets: ["SkyHashing"]),
        .library(name: "SkyStorage", targets: ["SkyStorage"]),
        .library(name: "SkyPipeline", targets: ["SkyPipeline"]),
        .library(name: "SkyCLIP", targets: ["SkyCLIP"]),
        .library(name: "SkySearch", targets: ["SkySearch"]),
        .library(name: "SkyIndex", targets: ["SkyIndex"]),
        .library(name: "SkyRecipe", targets: ["SkyRecipe"]),
        .library(name: "SkyBuild", targets: ["SkyBuild"]),
        .executable(name: "skycorpus", targets: ["SkyCorpusCLI"]),
        .executable(name: "skybench", targets: ["SkyBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "5.0.1"),
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
            exclude: ["README.md", "recipe.md"],
            sources: ["SkySchemas.swift"],
            resources: [
                .copy("corpus.sql"), .copy("palettes"), .copy("classes"),
                .copy("captions"), .copy("prompts"),
            ]
        ),
        // One lock type for the whole package.
        .target(name: "SkyConcurrency"),
        // C API over hnswlib (header-only C++, libhnswlib-dev), XXH64 and float16 conversion, for SkyIndex.
        .target(name: "CSkyIndex"),
        .target(name: "SkyImaging", dependencies: ["CSkyCodecs"]),
        .target(name: "SkyGeometry", dependencies: ["SkyImaging", "SkySchemas"]),
        .target(name: "SkyDatasets", dependencies: ["SkyImaging", "SkyGeometry"]),
        .target(name: "SkyText", dependencies: ["SkyGeometry", "SkySchemas"]),
        .target(name: "SkyHashing", dependencies: ["SkyImaging", "SkyConcurrency"]),
        .target(name: "SkyCLIP", dependencies: ["SkyImaging", "CSkyBLAS", "CSkyCodecs", "CSkyKernels", "SkyConcurrency"], resources: [.copy("Resources")]),
        // The corpus as a database: the only module with SQL. GRDB and the schema, nothing else.
        .target(name: "SkyStorage", dependencies: [.product(name: "GRDB", package: "GRDB.swift"), "SkySchemas"]),
        // The steps (ingest, registration, dedup, captions, change sentences, M2B storage, prompts, exports).
        .target(
            name: "SkyPipeline",
            dependencies: ["SkyStorage", "SkyImaging", "SkyGeometry", "SkyDatasets", "SkyText", "SkyHashing", "SkyIndex", "SkyConcurrency"]
        ),
        // `skycorpus serve`: the JSON API and the web page over SkySearch's engine and storage's browse queries.
        .target(
            name: "SkyServer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                "SkySearch", "SkyCLIP", "SkyStorage", "SkyImaging", "SkyGeometry", "SkyConcurrency",
            ],
            resources: [.copy("Web")]
        ),
        .target(name: "SkySearch", dependencies: ["SkyCLIP", "SkyImaging", "SkyStorage", "SkyDatasets", "SkyText", "SkyIndex", "SkyHashing", "CSkyBLAS", "SkyConcurrency"]),
        // Vector index: exact (BLAS) and HNSW top-k with filters, pairs above a cosine threshold. No corpus dependency.
        .target(name: "SkyIndex", dependencies: ["CSkyBLAS", "CSkyIndex", "SkyConcurrency"]),
        // The recipe file: one YAML file that names the datasets, the steps and their settings, and the exports.
        .target(name: "SkyRecipe", dependencies: ["Yams", "SkyPipeline", "SkySearch", "SkyCLIP", "SkyDatasets", "SkyStorage", "SkyHashing", "SkyGeometry", "SkyText"]),
        // `skycorpus build`: runs a recipe end to end through the pipeline's steps, resumable, sharded, merged.
        .target(name: "SkyBuild", dependencies: ["SkyRecipe", "SkyPipeline", "SkySearch", "SkyCLIP", "SkyStorage", "SkyDatasets", "SkyText", "SkyHashing", "SkyGeometry"]),
        .executableTarget(
            name: "SkyCorpusCLI",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "SkyImaging", "SkyGeometry", "SkyDatasets", "SkyText", "SkyHashing",
                "SkyStorage", "SkyPipeline", "SkyCLIP", "SkySearch", "SkyIndex", "SkyConcurrency",
                "SkyRecipe", "SkyBuild", "SkyServer",
            ]
        ),
        // In-process timing of the hot paths, driven by the runners in Benchmarks/.
        .executableTarget(
            name: "SkyBench",
            dependencies: [
                "SkyImaging", "SkyGeometry", "SkyDatasets", "SkyText", "SkyHashing",
                "SkyStorage", "SkyPipeline", "SkyCLIP", "SkySearch", "SkyIndex", "CSkyKernels", "CSkyBLAS", "SkyConcurrency",
            ],
            path: "Benchmarks/SkyBench"
        ),
        .target(name: "SkyTestSupport", path: "Tests/SkyTestSupport"),
        .testTarget(name: "SkyImagingTests", dependencies: ["SkyImaging", "CSkyCodecs", "SkyHashing", "SkyTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SkyGeometryTests", dependencies: ["SkyGeometry", "SkyImaging", "SkyTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SkyDatasetsTests", dependencies: ["SkyDatasets", "SkyImaging", "SkyGeometry", "SkySchemas", "SkyText", "SkyStorage", "SkyPipeline", "SkyTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "SkyTextTests", dependencies: ["SkyText", "SkyGeometry", "SkyImaging", "SkyTestSupport", "SkyStorage", "SkyPipeline", "SkyCLIP", .product(name: "GRDB", package: "GRDB.swift")], resources: [.copy("Fixtures")]),
        .testTarget(name: "SkyHashingTests", dependencies: ["SkyHashing", "SkyImaging", "SkyTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SkyCLIPTests", dependencies: ["SkyCLIP", "CSkyKernels", "SkyImaging", "SkyHashing", "SkyStorage", "SkyPipeline", "SkyTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SkyCorpusCLITests", dependencies: ["SkyImaging", "SkyStorage", "SkyCLIP", "SkyTestSupport"]),
        .testTarget(name: "SkyStorageTests", dependencies: ["SkyStorage", "SkySchemas", "SkyConcurrency", "SkyTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "SkyPipelineTests", dependencies: ["SkyPipeline", "SkyStorage", "SkyImaging", "SkyGeometry", "SkyHashing", "SkyText", "SkyConcurrency", "SkyTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "SkySearchTests", dependencies: ["SkySearch", "SkyCLIP", "SkyText", "SkyImaging", "SkyStorage", "SkyPipeline", "SkyIndex", "SkyTestSupport", .product(name: "GRDB", package: "GRDB.swift")], resources: [.copy("Fixtures")]),
        .testTarget(name: "SkyIndexTests", dependencies: ["SkyIndex", "CSkyIndex"]),
        .testTarget(name: "SkyServerTests", dependencies: [
            "SkyServer", "SkySearch", "SkyStorage", "SkyPipeline", "SkyDatasets", "SkyImaging", "SkyCLIP", "SkyHashing", "SkyTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "SkyRecipeTests", dependencies: ["SkyRecipe", "SkyCLIP", "SkyPipeline", "SkyDatasets", "SkyTestSupport"]),
        .testTarget(name: "SkyBuildTests", dependencies: ["SkyBuild", "SkyRecipe", "SkyPipeline", "SkyStorage", "SkyText", "SkyTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
    ],
    swiftLanguageModes: [.v6]
)
