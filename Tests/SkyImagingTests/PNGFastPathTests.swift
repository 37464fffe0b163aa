import CSkyCodecs
import Foundation
import SkyHashing
import SkyImaging
import Testing
import SkyTestSupport

/// The libdeflate PNG path gives byte for byte what libpng gives, and leaves every other file to libpng.
@Suite struct PNGFastPathTests {
    /// One decode through a chosen C path: status, message, the info struct's bytes and the pixels.
    struct PathResult: Equatable {
        var status: Int32
        var message: String
        var info: [UInt8]
        var pixels: [UInt8]
    }

    /// One entry of Fixtures/pngfast/expected.json, written by Scripts/png_filter_fixtures.py.
    struct Generated: Decodable {
        var file: String
        var width: Int
        var height: Int
        var layout: String
        var sha256: String
        var indices_sha256: String?
    }

    static func decode(_ bytes: [UInt8], keepIndices: Bool, path: csky_png_path) -> PathResult {
        var info = csky_image_info()
        var message = [CChar](repeating: 0, count: Int(CSKY_ERROR_LEN))
        let keep: Int32 = keepIndices ? 1 : 0
        let route = Int32(path.rawValue)
        var status = bytes.withUnsafeBufferPointer { input in
            csky_png_info_via(input.baseAddress, input.count, keep, route, &info, &message)
        }
        var pixels: [UInt8] = []
        if status == CSKY_OK {
            let count = Int(info.width) * Int(info.height) * Int(info.channels)
            pixels = [UInt8](repeating: 0, count: count)
            status = bytes.withUnsafeBufferPointer { input in
                pixels.withUnsafeMutableBufferPointer { output in
                    csky_png_decode_via(input.baseAddress, input.count, keep, route, output.baseAddress, count,
                                        &info, &message)
                }
            }
        }
        let infoBytes = withUnsafeBytes(of: &info) { Array($0) }
        let text = String(cString: message)
        return PathResult(status: status, message: status == CSKY_OK ? "" : text, info: infoBytes,
                          pixels: status == CSKY_OK ? pixels : [])
    }

    /// Whether the file is one the fast path is meant for: 8-bit, not interlaced or Adam7 (IHDR bytes 24 and 28).
    static func isPlainEightBit(_ bytes: [UInt8]) -> Bool {
        bytes.count > 28 && bytes[24] == 8 && bytes[28] <= 1
    }

    /// Both paths agree on `bytes` (status, message, info and pixels), and the fast path took the file
    /// exactly when it is plain 8-bit; returns how many of the two decodes the fast path took.
    @discardableResult
    static func expectPathsAgree(_ bytes: [UInt8], label: String) -> Int {
        var taken = 0
        for keepIndices in [false, true] {
            let libpng = decode(bytes, keepIndices: keepIndices, path: CSKY_PNG_PATH_LIBPNG)
            let auto = decode(bytes, keepIndices: keepIndices, path: CSKY_PNG_PATH_AUTO)
            let fast = decode(bytes, keepIndices: keepIndices, path: CSKY_PNG_PATH_FAST)
            #expect(libpng.status == CSKY_OK, "\(label): libpng failed: \(libpng.message)")
            #expect(auto == libpng, "\(label) keepIndices=\(keepIndices): fast path differs from libpng")
            #expect(fast.status == (isPlainEightBit(bytes) ? CSKY_OK : CSKY_PNG_DECLINED),
                    "\(label) keepIndices=\(keepIndices): fast path \(fast.status) \(fast.message)")
            if fast.status == CSKY_OK {
                #expect(fast == libpng, "\(label) keepIndices=\(keepIndices): fast-only output differs")
                taken += 1
            }
        }
        return taken
    }

    static func generated() throws -> [Generated] {
        struct File: Decodable { var files: [Generated] }
        let data = try Data(contentsOf: TestPaths.fixture("pngfast/expected.json"))
        return try JSONDecoder().decode(File.self, from: data).files
    }

    @Test func generatedPNGsDecodeToThePixelsTheyWereMadeFrom() throws {
        let entries = try Self.generated()
        #expect(entries.count >= 30)
        for entry in entries {
            let path = TestPaths.fixture("pngfast/" + entry.file).path
            let bytes = try FileBytes.read(path)
            #expect(Self.decode(bytes, keepIndices: false, path: CSKY_PNG_PATH_FAST).status == CSKY_OK,
                    "\(entry.file) did not take the fast path")
            let image = try ImageDecoder().decode(file: path)
            #expect(image.width == entry.width && image.height == entry.height, "\(entry.file)")
            #expect(image.layout.description == entry.layout, "\(entry.file)")
            #expect(image.pixelDigest == entry.sha256, "\(entry.file) pixels differ from the generator's")
            if let expected = entry.indices_sha256 {
                let indexed = try ImageDecoder().decodeIndexed(file: path)
                #expect(SHA256.hex(of: indexed.indices) == expected, "\(entry.file) indices differ")
            }
        }
    }

    @Test func generatedPNGsMatchLibpngOnBothPaths() throws {
        var taken = 0
        for entry in try Self.generated() {
            let bytes = try FileBytes.read(TestPaths.fixture("pngfast/" + entry.file).path)
            taken += Self.expectPathsAgree(bytes, label: entry.file)
        }
        #expect(taken >= 60)
    }

    @Test func codecSamplesMatchLibpngAndOnlyPlainOnesTakeTheFastPath() throws {
        let folder = TestPaths.fixture("codec")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".png") }
        #expect(names.count >= 10)
        var taken = 0
        for name in names.sorted() {
            taken += Self.expectPathsAgree(try FileBytes.read(folder.appendingPathComponent(name).path),
                                           label: "codec/\(name)")
        }
        #expect(taken >= 8)  // gray, gray_alpha, mask_gray, rgb, rgba: both ways each
    }

    @Test(.enabled(if: TestPaths.hasRealData, "needs ../shared/realdata"))
    func realPNGsMatchLibpng() throws {
        let root = TestPaths.realData
        let files = (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? [])
            .filter { $0.lowercased().hasSuffix(".png") }.sorted()
        #expect(files.count >= 20)
        var taken = 0
        for file in files {
            taken += Self.expectPathsAgree(try FileBytes.read(root.appendingPathComponent(file).path),
                                           label: "realdata/\(file)")
        }
        #expect(taken >= files.count)
    }

    /// Adam7 images of every 8-bit colour type, from 1x1 (six empty passes) up, with random filter types:
    /// the fast path takes them and gives libpng's pixels.
    @Test func interlacedPNGsMatchLibpng() {
        var generator = SplitMix64(seed: 0xADA7)
        var taken = 0
        for colorType: UInt8 in [0, 2, 3, 4, 6] {
            for size in [(1, 1), (2, 1), (1, 2), (3, 3), (5, 4), (8, 8), (9, 9), (17, 3), (3, 17), (33, 65), (130, 7)] {
                let png = SyntheticPNG.random(width: size.0, height: size.1, colorType: colorType, bitDepth: 8,
                                              interlaced: true, generator: &generator)
                taken += Self.expectPathsAgree(png, label: "Adam7 type \(colorType) \(size)")
            }
        }
        #expect(taken == 5 * 11 * 2)
        // Damaged ones: the default path still says what libpng says.
        let png = SyntheticPNG.random(width: 21, height: 13, colorType: 2, bitDepth: 8, interlaced: true,
                                      generator: &generator)
        for cut in stride(from: 0, to: png.count, by: 19) {
            let data = Array(png.prefix(cut))
            #expect(Self.decode(data, keepIndices: false, path: CSKY_PNG_PATH_AUTO)
                == Self.decode(data, keepIndices: false, path: CSKY_PNG_PATH_LIBPNG), "cut at \(cut)")
        }
        for position in stride(from: 8, to: png.count, by: 7) {
            var data = png
            data[position] ^= 0x24
            #expect(Self.decode(data, keepIndices: false, path: CSKY_PNG_PATH_AUTO)
                == Self.decode(data, keepIndices: false, path: CSKY_PNG_PATH_LIBPNG), "byte \(position) flipped")
        }
    }

    @Test func damagedFilesFallBackToLibpngsVerdict() throws {
        let bytes = try FileBytes.read(TestPaths.fixture("pngfast/rgb_many_idat.png").path)
        var damaged: [(String, [UInt8])] = []
        for cut in stride(from: 0, to: bytes.count, by: 23) {
            damaged.append(("cut at \(cut)", Array(bytes.prefix(cut))))
        }
        for position in stride(from: 8, to: bytes.count, by: 17) {
            var copy = bytes
            copy[position] ^= 0x41
            damaged.append(("byte \(position) flipped", copy))
        }
        var failures = 0
        for (label, data) in damaged {
            for keepIndices in [false, true] {
                let libpng = Self.decode(data, keepIndices: keepIndices, path: CSKY_PNG_PATH_LIBPNG)
                let auto = Self.decode(data, keepIndices: keepIndices, path: CSKY_PNG_PATH_AUTO)
                #expect(auto == libpng, "\(label): the default path disagrees with libpng")
                if libpng.status != CSKY_OK { failures += 1 }
            }
        }
        #expect(failures > damaged.count)  // truncation and critical-chunk damage fail, as libpng says
    }

    /// One entry of expected.json's "declined": image data with the wrong number of rows.
    struct Mismatched: Decodable {
        var file: String
        var rows: Int
        var libpng_fails: Bool
    }

    @Test func wrongAmountOfImageDataIsLeftToLibpng() throws {
        struct File: Decodable { var declined: [Mismatched] }
        let data = try Data(contentsOf: TestPaths.fixture("pngfast/expected.json"))
        let entries = try JSONDecoder().decode(File.self, from: data).declined
        #expect(entries.count == 2)
        for entry in entries {
            let path = TestPaths.fixture("pngfast/" + entry.file).path
            let bytes = try FileBytes.read(path)
            let fast = Self.decode(bytes, keepIndices: false, path: CSKY_PNG_PATH_FAST)
            #expect(fast.status == CSKY_PNG_DECLINED, "\(entry.file): \(entry.rows) rows taken by the fast path")
            #expect(fast.message.contains("not exactly the image data"))
            let libpng = Self.decode(bytes, keepIndices: false, path: CSKY_PNG_PATH_LIBPNG)
            #expect(Self.decode(bytes, keepIndices: false, path: CSKY_PNG_PATH_AUTO) == libpng, "\(entry.file)")
            #expect((libpng.status != CSKY_OK) == entry.libpng_fails, "\(entry.file): \(libpng.message)")
            if entry.libpng_fails {
                let error = #expect(throws: ImageError.self) { _ = try ImageDecoder().decode(file: path) }
                #expect(error?.description.contains(entry.file) == true)
                #expect(error?.description.contains("Not enough image data") == true)
            }
        }
    }

    /// CRC-32 (ISO 3309, as PNG chunks use), bit by bit: test data is small.
    static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return ~crc
    }

    /// A chunk with its length and a correct CRC.
    static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        let length = UInt32(body.count), crc = crc32(typed)
        return [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: length >> $0) } + typed
            + [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: crc >> $0) }
    }

    /// `bytes` with `inserted` placed right after the IHDR chunk (signature 8 + IHDR 25 bytes).
    static func afterIHDR(_ bytes: [UInt8], _ inserted: [UInt8]) -> [UInt8] {
        Array(bytes[..<33]) + inserted + Array(bytes[33...])
    }

    @Test func unusualChunkLayoutsAreLeftToLibpng() throws {
        let rgb = try FileBytes.read(TestPaths.fixture("pngfast/rgb_1.png").path)
        let palette = try FileBytes.read(TestPaths.fixture("pngfast/palette_1.png").path)
        let plte = Self.chunk("PLTE", [1, 2, 3, 4, 5, 6])
        let paletteWithoutPLTE: [UInt8] = {
            // Drop palette_1.png's PLTE chunk (the first chunk after IHDR, written by the script).
            let length = Int(palette[33]) << 24 | Int(palette[34]) << 16 | Int(palette[35]) << 8 | Int(palette[36])
            return Array(palette[..<33]) + Array(palette[(33 + 12 + length)...])
        }()
        let cases: [(String, [UInt8])] = [
            ("RGB with a suggested palette", Self.afterIHDR(rgb, plte)),
            ("RGB with two palettes", Self.afterIHDR(rgb, plte + plte)),
            ("RGB with an empty palette", Self.afterIHDR(rgb, Self.chunk("PLTE", []))),
            ("palette image without PLTE", paletteWithoutPLTE),
            ("palette image with a second PLTE", Self.afterIHDR(palette, plte)),
            ("unknown critical chunk", Self.afterIHDR(rgb, Self.chunk("ABCD", [9]))),
            ("invalid chunk name", Self.afterIHDR(rgb, Self.chunk("ab1d", [9]))),
            ("tRNS before PLTE", Self.afterIHDR(palette, Self.chunk("tRNS", [0, 128]))),
        ]
        for (label, bytes) in cases {
            for keepIndices in [false, true] {
                let fast = Self.decode(bytes, keepIndices: keepIndices, path: CSKY_PNG_PATH_FAST)
                #expect(fast.status == CSKY_PNG_DECLINED, "\(label): taken by the fast path")
                let libpng = Self.decode(bytes, keepIndices: keepIndices, path: CSKY_PNG_PATH_LIBPNG)
                #expect(Self.decode(bytes, keepIndices: keepIndices, path: CSKY_PNG_PATH_AUTO) == libpng, "\(label)")
            }
        }
        // The helper itself: a copy of a fixture's own ancillary chunk keeps it on the fast path.
        let text = Self.afterIHDR(rgb, Self.chunk("tEXt", Array("Note\u{0}hand-made".utf8)))
        #expect(Self.decode(text, keepIndices: false, path: CSKY_PNG_PATH_FAST)
            == Self.decode(text, keepIndices: false, path: CSKY_PNG_PATH_LIBPNG))
        #expect(Self.decode(text, keepIndices: false, path: CSKY_PNG_PATH_FAST).status == CSKY_OK)
    }

    @Test func idatCRCDamageIsAnErrorNamingTheFile() throws {
        var bytes = try FileBytes.read(TestPaths.fixture("pngfast/rgb_0.png").path)
        let idat = try #require((0..<bytes.count - 4).first { bytes[$0..<$0 + 4].elementsEqual(Array("IDAT".utf8)) })
        bytes[idat + 6] ^= 0xFF  // inside the IDAT data: the CRC no longer matches
        #expect(Self.decode(bytes, keepIndices: false, path: CSKY_PNG_PATH_FAST).status == CSKY_PNG_DECLINED)
        let error = #expect(throws: ImageError.self) { _ = try ImageDecoder().decode(bytes, name: "idat-crc.png") }
        #expect(error?.description.contains("idat-crc.png") == true)
    }

    @Test func damagedAncillaryCRCIsIgnoredAsLibpngDoes() throws {
        // rgb_many_idat.png carries a zTXt chunk whose CRC is wrong on purpose.
        let bytes = try FileBytes.read(TestPaths.fixture("pngfast/rgb_many_idat.png").path)
        let fast = Self.decode(bytes, keepIndices: false, path: CSKY_PNG_PATH_FAST)
        #expect(fast.status == CSKY_OK)
        #expect(fast == Self.decode(bytes, keepIndices: false, path: CSKY_PNG_PATH_LIBPNG))
    }
}
