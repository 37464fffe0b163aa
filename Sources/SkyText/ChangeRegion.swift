import SkyGeometry

/// One changed region of a change mask (a connected region, as M2B extracts it): its box, its size, and
/// for semantic change masks (SECOND) what it was before and after.
public struct ChangeRegion: Sendable, Hashable {
    /// The region's axis-aligned box in pixels.
    public var box: AxisBox
    /// How many pixels the region covers.
    public var pixelCount: Int
    /// The class before the change (label1), when the mask is semantic.
    public var before: ClassName?
    /// The class after the change (label2), when the mask is semantic.
    public var after: ClassName?

    public init(box: AxisBox, pixelCount: Int, before: ClassName? = nil, after: ClassName? = nil) {
        self.box = box
        self.pixelCount = pixelCount
        self.before = before
        self.after = after
    }
}

/// Where a region lies: the cell of a 3 x 3 grid that holds its box centre.
public enum ChangePosition: String, Sendable, Hashable, CaseIterable, Codable {
    case topLeft = "top left", top, topRight = "top right"
    case left, center, right
    case bottomLeft = "bottom left", bottom, bottomRight = "bottom right"

    /// The cell of the box centre in an image of `size` (thirds of width and height; edges go to the
    /// later cell, so the exact middle is `center`).
    public init(of box: AxisBox, in size: ImageSize) {
        let center = box.center
        let column = min(2, max(0, Int((center.x / size.width * 3).rounded(.down))))
        let row = min(2, max(0, Int((center.y / size.height * 3).rounded(.down))))
        self = Self.allCases[row * 3 + column]
    }
}

/// The rule that made a change sentence, stored with it in the corpus (`caption.rule`).
public enum ChangeRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// The mask is empty: "the scene is the same as before".
    case noChange = "nochange"
    /// How many regions changed.
    case count
    /// Where they are.
    case location
    /// How large the change is relative to the image.
    case size
    /// What changed into what (semantic masks only).
    case semantic
    /// Count and location together.
    case combined
}

/// One change sentence and its rule.
public struct ChangeSentence: Sendable, Hashable, Codable {
    public var text: String
    public var rule: ChangeRule
    public init(text: String, rule: ChangeRule) {
        self.text = text
        self.rule = rule
    }
}
