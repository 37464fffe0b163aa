import Foundation
import SkyGeometry
import SkyImaging
import SkyStorage

/// What a rendering draws over an image.
public enum OverlayLayer: String, Sendable, CaseIterable {
    /// Axis-aligned boxes.
    case boxes
    /// Rotated boxes and polygons.
    case polygons
    /// Registered segmentation masks, in their palette's colours.
    case mask
}

/// Draws boxes, rotated boxes, polygons and masks over an image (the server's `render` PNG).
public struct OverlayRenderer: Sendable {
    /// The layers to draw.
    public var layers: Set<OverlayLayer>
    /// Only objects of these classes (all when nil).
    public var classes: Set<String>?
    /// The longest side of the output; larger images are scaled down first.
    public var maxSide: Int

    /// Output sizes one may ask for.
    public static let sideRange = 16...4096
    /// The default longest side.
    public static let defaultSide = 1024
    /// How opaque a mask colour is over the image (0...255).
    static let maskAlpha = 110

    public init(layers: Set<OverlayLayer> = Set(OverlayLayer.allCases), classes: Set<String>? = nil,
                maxSide: Int = defaultSide) {
        self.layers = layers
        self.classes = classes
        self.maxSide = maxSide
    }

    /// A distinct colour per class name, stable across runs (FNV-1a of the name into a fixed palette).
    public static func colour(of className: String) -> RGBA {
        let colours: [RGBA] = [
            RGBA(230, 25, 75), RGBA(60, 180, 75), RGBA(255, 225, 25), RGBA(0, 130, 200), RGBA(245, 130, 48),
            RGBA(145, 30, 180), RGBA(70, 240, 240), RGBA(240, 50, 230), RGBA(210, 245, 60), RGBA(250, 190, 212),
            RGBA(0, 128, 128), RGBA(220, 190, 255), RGBA(170, 110, 40), RGBA(128, 0, 0), RGBA(0, 0, 128),
        ]
        var hash: UInt32 = 2_166_136_261
        for byte in className.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return colours[Int(hash % UInt32(colours.count))]
    }

    /// `#rrggbb` of ``colour(of:)``.
    public static func hexColour(of className: String) -> String {
        let colour = colour(of: className)
        return "#" + [colour.red, colour.green, colour.blue].map { String(format: "%02x", $0) }.joined()
    }

    /// The image (any layout) scaled to fit ``maxSide``, in RGB, with the layers drawn. Masks of another size than
    /// the image are stretched over it.
    public func render(_ source: RasterImage, objects: [BrowseObject],
                       masks: [(mask: LabelMask, palette: Palette)]) -> RasterImage {
        var image = PillowConvert.rgb(source)
        let scale = min(1, Double(maxSide) / Double(max(image.width, image.height, 1)))
        if scale < 1 {
            image = PillowResample.resize(image, width: max(1, Int((Double(image.width) * scale).rounded())),
                                          height: max(1, Int((Double(image.height) * scale).rounded())), filter: .bilinear)
        }
        var canvas = Canvas(image: image)
        if layers.contains(.mask) {
            for (mask, palette) in masks { canvas.blend(mask, palette: palette, alpha: Self.maskAlpha) }
        }
        let thickness = max(1, Int((Double(max(image.width, image.height)) / 320).rounded()))
        for object in objects where classes?.contains(object.className) ?? true {
            let colour = Self.colour(of: object.className)
            let scaled = { (x: Double, y: Double) in (x * scale, y * scale) }
            if layers.contains(.boxes), object.box.count == 4 {
                let (x, y, w, h) = (object.box[0], object.box[1], object.box[2], object.box[3])
                canvas.polyline([scaled(x, y), scaled(x + w, y), scaled(x + w, y + h), scaled(x, y + h)], closed: true,
                                colour: colour, thickness: thickness)
            }
            if layers.contains(.polygons) {
                if let polygon = object.polygon, polygon.count >= 2 {
                    canvas.polyline(polygon.filter { $0.count >= 2 }.map { scaled($0[0], $0[1]) }, closed: true,
                                    colour: colour, thickness: thickness)
                } else if let rotated = object.rotated {
                    canvas.polyline(Self.corners(rotated).map { scaled($0.0, $0.1) }, closed: true, colour: colour,
                                    thickness: thickness)
                }
            }
        }
        return canvas.image
    }

    /// The corners of a rotated box (OpenCV's `boxPoints`: angle in degrees).
    static func corners(_ box: BrowseRotatedBox) -> [(Double, Double)] {
        let radians = box.angle * Double.pi / 180
        let b = cos(radians) * 0.5, a = sin(radians) * 0.5
        let p0 = (box.cx - a * box.h - b * box.w, box.cy + b * box.h - a * box.w)
        let p1 = (box.cx + a * box.h - b * box.w, box.cy - b * box.h - a * box.w)
        return [p0, p1, (2 * box.cx - p0.0, 2 * box.cy - p0.1), (2 * box.cx - p1.0, 2 * box.cy - p1.1)]
    }
}

/// An RGB raster being drawn on.
struct Canvas {
    var image: RasterImage

    /// Paints a `thickness`-wide square at each point of the segments between consecutive points.
    mutating func polyline(_ points: [(Double, Double)], closed: Bool, colour: RGBA, thickness: Int) {
        guard points.count >= 2 else { return }
        let segments = closed ? points.count : points.count - 1
        for index in 0..<segments {
            let (from, to) = (points[index], points[(index + 1) % points.count])
            line(from, to, colour: colour, thickness: thickness)
        }
    }

    mutating func line(_ from: (Double, Double), _ to: (Double, Double), colour: RGBA, thickness: Int) {
        let steps = Int(max(abs(to.0 - from.0), abs(to.1 - from.1)).rounded(.up)) + 1
        guard steps < 1 << 16 else { return }  // a corrupt coordinate: draw nothing rather than loop for long
        for step in 0...steps {
            let t = Double(step) / Double(steps)
            stamp(x: Int((from.0 + (to.0 - from.0) * t).rounded()), y: Int((from.1 + (to.1 - from.1) * t).rounded()),
                  colour: colour, size: thickness)
        }
    }

    mutating func stamp(x: Int, y: Int, colour: RGBA, size: Int) {
        let low = -(size - 1) / 2
        for dy in low..<(low + size) {
            for dx in low..<(low + size) { set(x: x + dx, y: y + dy, colour: colour) }
        }
    }

    mutating func set(x: Int, y: Int, colour: RGBA) {
        guard x >= 0, y >= 0, x < image.width, y < image.height else { return }
        let offset = image.offset(x: x, y: y)
        image.pixels[offset] = colour.red
        image.pixels[offset + 1] = colour.green
        image.pixels[offset + 2] = colour.blue
    }

    /// Mixes each pixel with its mask class's palette colour (nearest mask pixel), skipping the palette's ignored
    /// values and its background.
    mutating func blend(_ mask: LabelMask, palette: Palette, alpha: Int) {
        var colours = [RGBA?](repeating: nil, count: 256)
        for entry in palette.classes where entry.rgb.count == 3 && !palette.defaultIgnore.contains(entry.index)
            && !["background", "no-data", "ignore", "unlabeled", "clutter"].contains(entry.name.lowercased()) {
            colours[Int(entry.index)] = RGBA(entry.rgb[0], entry.rgb[1], entry.rgb[2])
        }
        let (width, height) = (image.width, image.height)
        for y in 0..<height {
            let maskY = min(mask.height - 1, y * mask.height / max(height, 1))
            for x in 0..<width {
                let maskX = min(mask.width - 1, x * mask.width / max(width, 1))
                guard let colour = colours[Int(mask[maskX, maskY])] else { continue }
                let offset = image.offset(x: x, y: y)
                for (channel, value) in [colour.red, colour.green, colour.blue].enumerated() {
                    let old = Int(image.pixels[offset + channel])
                    image.pixels[offset + channel] = UInt8((old * (255 - alpha) + Int(value) * alpha) / 255)
                }
            }
        }
    }
}
