/// A single-channel 8-bit mask: one class index (or binary value) per pixel, row-major.
///
/// This is the common input of ``Contours`` and ``M2B``: segmentation label maps (LoveDA, Potsdam, Vaihingen),
/// RGB-coded masks after ``Palette/labelMask(from:path:unknownColours:)``, change masks (0/255) and plain
/// binary masks all become a `LabelMask`.
public struct LabelMask: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `width * height` values, row-major, top row first.
    public var values: [UInt8]

    /// Wraps existing values; throws when the count does not match the size.
    public init(width: Int, height: Int, values: [UInt8]) throws(GeometryError) {
        guard width >= 0, height >= 0, values.count == width * height else {
            throw .invalidMaskSize(width: width, height: height, valueCount: values.count)
        }
        self.width = width
        self.height = height
        self.values = values
    }

    /// A mask filled with one value.
    public init(width: Int, height: Int, filledWith value: UInt8 = 0) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.values = [UInt8](repeating: value, count: self.width * self.height)
    }

    /// The value at pixel (x, y).
    @inlinable
    public subscript(x: Int, y: Int) -> UInt8 {
        get { values[y * width + x] }
        set { values[y * width + x] = newValue }
    }

    /// A binary mask (1 where this mask equals `value`, else 0), as `(mask == value).astype(uint8)` in NumPy.
    public func selecting(_ value: UInt8) -> LabelMask {
        var copy = self
        for index in copy.values.indices {
            copy.values[index] = copy.values[index] == value ? 1 : 0
        }
        return copy
    }

    /// The distinct values present, ascending.
    public var presentValues: [UInt8] {
        var seen = [Bool](repeating: false, count: 256)
        for value in values { seen[Int(value)] = true }
        return (0..<256).filter { seen[$0] }.map { UInt8($0) }
    }
}
