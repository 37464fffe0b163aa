/// Which contours `findContours` returns and how it links them, as OpenCV's `RETR_*` modes.
public enum ContourRetrieval: String, Sendable, CaseIterable, Codable {
    /// Only the outermost outer borders (`RETR_EXTERNAL`).
    case external
    /// Every border, no nesting (`RETR_LIST`).
    case list
    /// Two levels: outer borders on top, their holes below (`RETR_CCOMP`).
    case ccomp
    /// The full nesting of outer borders and holes (`RETR_TREE`).
    case tree

    /// OpenCV's constant for the mode.
    public var openCVValue: Int {
        switch self {
        case .external: 0
        case .list: 1
        case .ccomp: 2
        case .tree: 3
        }
    }
}

/// How border points are kept, as OpenCV's `CHAIN_APPROX_*` methods.
public enum ContourApproximation: String, Sendable, CaseIterable, Codable {
    /// Every border pixel (`CHAIN_APPROX_NONE`).
    case none
    /// Only the points where the chain direction changes (`CHAIN_APPROX_SIMPLE`).
    case simple

    /// OpenCV's constant for the method.
    public var openCVValue: Int { self == .none ? 1 : 2 }
}

/// One row of OpenCV's contour hierarchy: indices into the contour list, -1 for none.
public struct ContourLink: Sendable, Hashable, Codable {
    /// The next contour on the same level.
    public var next: Int
    /// The previous contour on the same level.
    public var previous: Int
    /// The first nested contour.
    public var firstChild: Int
    /// The enclosing contour.
    public var parent: Int

    public init(next: Int, previous: Int, firstChild: Int, parent: Int) {
        self.next = next
        self.previous = previous
        self.firstChild = firstChild
        self.parent = parent
    }

    /// `[next, previous, first_child, parent]`, OpenCV's layout.
    public var openCVArray: [Int] { [next, previous, firstChild, parent] }
}

/// The result of ``Contours/find(in:mode:approximation:)``: OpenCV's `contours` and `hierarchy`, same order.
public struct ContourSet: Sendable, Hashable {
    /// Each contour's points in tracing order.
    public var contours: [[PixelPoint]]
    /// One link per contour, `hierarchy[0][i]` in OpenCV.
    public var hierarchy: [ContourLink]
    /// Whether each contour is a hole border (a 0-region's border) rather than an outer border.
    public var isHole: [Bool]

    public init(contours: [[PixelPoint]], hierarchy: [ContourLink], isHole: [Bool]) {
        self.contours = contours
        self.hierarchy = hierarchy
        self.isHole = isHole
    }
}

/// Suzuki and Abe border following with the exact output of OpenCV 4.10+ `cv2.findContours` on 8-bit masks.
///
/// Any nonzero value is foreground. Foreground is 8-connected, holes 4-connected. The image is traced as if
/// framed by one pixel of zeros, so regions touching the border are traced normally and coordinates are the
/// mask's own.
public enum Contours {
    /// Finds the contours of the nonzero pixels of `mask`, as `cv2.findContours(mask, mode, method)`.
    public static func find(in mask: LabelMask, mode: ContourRetrieval = .list,
                            approximation: ContourApproximation = .none) -> ContourSet {
        var scanner = SuzukiScanner(mask: mask, mode: mode, approximation: approximation)
        defer { scanner.release() }
        scanner.scanAll()
        return scanner.results()
    }

    /// Finds the contours of the pixels of `mask` equal to `value` (the rest is background).
    public static func find(in mask: LabelMask, value: UInt8, mode: ContourRetrieval = .list,
                            approximation: ContourApproximation = .none) -> ContourSet {
        var scanner = SuzukiScanner(mask: mask, value: value, mode: mode, approximation: approximation)
        defer { scanner.release() }
        scanner.scanAll()
        return scanner.results()
    }
}
