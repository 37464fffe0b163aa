import Foundation
import SkySchemas
import SkyImaging

/// A dataset's mapping from mask colours to class indices, loaded from `Schemas/palettes/<name>.json`.
public struct Palette: Sendable, Hashable {
    /// One class of the palette.
    public struct Entry: Sendable, Hashable, Codable {
        /// The class index written into label masks.
        public var index: UInt8
        /// The dataset's class name.
        public var name: String
        /// The colour in RGB masks, `[r, g, b]`.
        public var rgb: [UInt8]

        public init(index: UInt8, name: String, rgb: [UInt8]) {
            self.index = index
            self.name = name
            self.rgb = rgb
        }
    }

    /// The palette's name (its file name without `.json`).
    public var name: String
    /// The classes in file order.
    public var classes: [Entry]
    /// Indices M2B skips by default (no-data, unlabeled, background, clutter).
    public var defaultIgnore: [UInt8]

    /// A palette from its parts; colours and indices must be unique.
    public init(name: String, classes: [Entry], defaultIgnore: [UInt8] = []) throws(GeometryError) {
        var colours = Set<UInt32>(), indices = Set<UInt8>()
        for entry in classes {
            guard entry.rgb.count == 3 else {
                throw .invalidPalette(name: name, reason: "class \(entry.index) '\(entry.name)' needs rgb [r, g, b]")
            }
            guard colours.insert(Self.key(entry.rgb[0], entry.rgb[1], entry.rgb[2])).inserted else {
                throw .invalidPalette(name: name, reason: "colour \(entry.rgb) is listed twice")
            }
            guard indices.insert(entry.index).inserted else {
                throw .invalidPalette(name: name, reason: "index \(entry.index) is listed twice")
            }
        }
        self.name = name
        self.classes = classes
        self.defaultIgnore = defaultIgnore
    }

    /// The names of the palettes shipped in `Schemas/palettes/`.
    public static var available: [String] {
        SkySchemas.files(in: "palettes").filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
    }

    /// Loads a shipped palette by name (`"isaid"`, `"loveda"`, `"potsdam"`, `"vaihingen"`, `"second"`).
    public static func named(_ name: String) throws(GeometryError) -> Palette {
        guard available.contains(name) else { throw .unknownPalette(name: name, available: available) }
        let data: Data
        do {
            data = try SkySchemas.data("palettes/\(name).json")
        } catch {
            throw .invalidPalette(name: name, reason: "\(error)")
        }
        return try decode(data, name: name)
    }

    /// Parses palette JSON (the format in `Schemas/palettes/README.md`).
    public static func decode(_ data: Data, name: String) throws(GeometryError) -> Palette {
        struct File: Decodable {
            var classes: [Entry]
            var defaultIgnore: [UInt8]?
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw .invalidPalette(name: name, reason: "not valid palette JSON: \(error)")
        }
        return try Palette(name: name, classes: file.classes, defaultIgnore: file.defaultIgnore ?? [])
    }

    /// The class name of an index, if the palette lists it.
    public func className(of index: UInt8) -> String? {
        classes.first { $0.index == index }?.name
    }

    /// The class index of a name (case-insensitive), if listed.
    public func index(ofClass name: String) -> UInt8? {
        classes.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.index
    }

    static func key(_ red: UInt8, _ green: UInt8, _ blue: UInt8) -> UInt32 {
        UInt32(red) << 16 | UInt32(green) << 8 | UInt32(blue)
    }
}

/// What to do with mask colours a palette does not list.
public enum UnknownColourPolicy: Sendable, Hashable {
    /// Refuse the mask, naming the colour, its pixel count and its first position.
    case fail
    /// Write this value for them (choose one no class uses, and ignore it in M2B).
    case mapTo(UInt8)
}

extension Palette {
    /// A value no class of this palette uses (the highest free one), for ``UnknownColourPolicy/mapTo(_:)``.
    public var unusedIndex: UInt8 {
        let used = Set(classes.map(\.index))
        return (0...255).reversed().map { UInt8($0) }.first { !used.contains($0) } ?? 255
    }

    /// Maps an RGB(A) colour mask to class indices. Alpha is ignored; gray images count as r = g = b.
    ///
    /// `path` names the mask in errors.
    public func labelMask(from image: RasterImage, path: String,
                          unknownColours: UnknownColourPolicy = .fail) throws(GeometryError) -> LabelMask {
        var table: [UInt32: UInt8] = [:]
        for entry in classes { table[Self.key(entry.rgb[0], entry.rgb[1], entry.rgb[2])] = entry.index }
        let channels = image.channels, count = image.width * image.height
        var values = [UInt8](repeating: 0, count: count)
        var firstUnknown: (key: UInt32, offset: Int)?
        image.pixels.withUnsafeBufferPointer { pixels in
            var lastKey = UInt32.max, lastValue: UInt8 = 0, lastKnown = false
            for pixel in 0..<count {
                let base = pixel * channels
                let key = channels >= 3 ? Self.key(pixels[base], pixels[base + 1], pixels[base + 2])
                    : Self.key(pixels[base], pixels[base], pixels[base])
                if key != lastKey {
                    lastKey = key
                    if let value = table[key] {
                        lastValue = value
                        lastKnown = true
                    } else {
                        lastKnown = false
                        if case .mapTo(let value) = unknownColours { lastValue = value }
                    }
                }
                if !lastKnown && firstUnknown == nil { firstUnknown = (key, pixel) }
                values[pixel] = lastValue
            }
        }
        if let unknown = firstUnknown, unknownColours == .fail {
            var pixelCount = 0
            for pixel in 0..<count {
                let base = pixel * channels
                let key = channels >= 3
                    ? Self.key(image.pixels[base], image.pixels[base + 1], image.pixels[base + 2])
                    : Self.key(image.pixels[base], image.pixels[base], image.pixels[base])
                if key == unknown.key { pixelCount += 1 }
            }
            let colour = "(\(unknown.key >> 16), \(unknown.key >> 8 & 0xFF), \(unknown.key & 0xFF))"
            throw .unknownColour(path: path, palette: name, colour: colour, pixelCount: pixelCount,
                                 firstX: unknown.offset % image.width, firstY: unknown.offset / image.width)
        }
        return try LabelMask(width: image.width, height: image.height, values: values)
    }
}

extension Palette {
    /// The values of an index mask that are no class of this palette, with their pixel counts, by value: a mask
    /// read with the wrong palette (LoveDA's 0-7 through iSAID's, a colour mask's indices through another's) shows
    /// up here instead of as boxes of the wrong class.
    public func unknownValues(in mask: LabelMask) -> [(value: UInt8, pixels: Int)] {
        var counts = [Int](repeating: 0, count: 256)
        mask.values.withUnsafeBufferPointer { values in
            for value in values { counts[Int(value)] += 1 }
        }
        let known = Set(classes.map(\.index))
        return (0..<256).compactMap { value in
            counts[value] > 0 && !known.contains(UInt8(value)) ? (UInt8(value), counts[value]) : nil
        }
    }
}
