import Foundation
import SkyGeometry
import SkyImaging
import SkyText
import SkyPipeline
import SkyStorage

/// `skybench caption-change [--masks N] [--unique U] [--size S] [--out DIR]`: change sentences for N synthetic
/// S x S binary change masks (U distinct PNGs, cycled), timed per stage: PNG decoding, M2B regions, sentence logic.
/// With `--out`, the U PNGs are also written there so the runner can time Pillow on the same bytes.
enum CaptionChangeBench {
    static func run(_ arguments: [String]) throws {
        var masks = 10_000, unique = 500, side = 1024
        var out: String? = nil
        var index = 0
        while index + 1 < arguments.count {
            let value = arguments[index + 1]
            switch arguments[index] {
            case "--masks": masks = Int(value) ?? masks
            case "--unique": unique = Int(value) ?? unique
            case "--size": side = Int(value) ?? side
            case "--out": out = value
            default: break
            }
            index += 2
        }
        unique = max(1, min(unique, masks))
        let encoded = try (0..<unique).map { number in try ImageEncoder.png(syntheticMask(number, side: side)) }
        if let out {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            for (number, bytes) in encoded.enumerated() {
                try Data(bytes).write(to: URL(fileURLWithPath: out).appendingPathComponent(String(format: "mask%05d.png", number)))
            }
        }
        let generator = try ChangeSentenceGenerator(phrasings: try ChangePhrasings.standard())
        let decoder = ImageDecoder()
        var decodeSeconds = 0.0, regionSeconds = 0.0, sentenceSeconds = 0.0
        var sentences = 0, regionsTotal = 0
        var newDecode = 0.0, newM2B = 0.0, newRegions = 0
        for number in 0..<masks {
            let bytes = encoded[number % unique]
            var start = BenchClock.now()
            let indexed = try decoder.decodeIndexed(bytes, name: "mask\(number).png")
            let mask = try LabelMask(width: indexed.width, height: indexed.height, values: indexed.indices)
            decodeSeconds += BenchClock.now() - start
            start = BenchClock.now()
            let changed = mask.values.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
            let regions = M2B.boxes(in: mask, options: M2BOptions(ignoredClasses: [0])).map {
                ChangeRegion(box: $0.box.axisBox, pixelCount: max(1, Int($0.contourArea.rounded())))
            }
            regionSeconds += BenchClock.now() - start
            start = BenchClock.now()
            sentences += generator.sentences(regions: regions, imageSize: ImageSize(width: Double(side), height: Double(side)),
                                             changedPixels: changed, seed: 0, identity: "bench/\(number)").count
            sentenceSeconds += BenchClock.now() - start
            regionsTotal += regions.count
            start = BenchClock.now()
            let binary = try LabelMask.binaryChange(bytes, name: "mask\(number).png")
            newDecode += BenchClock.now() - start
            start = BenchClock.now()
            let counted = M2B.boxes(in: binary, classValue: 1, options: M2BOptions(countPixels: true)).map {
                ChangeRegion(box: $0.box.axisBox, pixelCount: $0.pixelCount ?? 0)
            }
            newM2B += BenchClock.now() - start
            newRegions += counted.count
        }
        print("""
            {"masks": \(masks), "unique": \(unique), "size": \(side), "regions": \(regionsTotal), \
            "sentences": \(sentences), "decode_s": \(decodeSeconds), "m2b_s": \(regionSeconds), \
            "sentences_s": \(sentenceSeconds), "new_decode_s": \(newDecode), "new_m2b_s": \(newM2B), "new_regions": \(newRegions)}
            """)
    }

    /// A binary change mask (0 / 255) with 0 to 15 rectangular changes, like LEVIR-CD's building changes.
    static func syntheticMask(_ number: Int, side: Int) -> RasterImage {
        var random = SeededRandom(seed: UInt64(number))
        var image = RasterImage(width: side, height: side, layout: .gray)
        for _ in 0..<random.below(16) {
            let width = 8 + random.below(side / 8), height = 8 + random.below(side / 8)
            let x0 = random.below(side - width), y0 = random.below(side - height)
            for y in y0..<(y0 + height) {
                let row = y * side
                for x in x0..<(x0 + width) { image.pixels[row + x] = 255 }
            }
        }
        return image
    }
}
