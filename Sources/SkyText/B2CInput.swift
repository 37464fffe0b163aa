import SkyGeometry

/// Where an object came from: a dataset's own box, or M2B over a segmentation mask.
public enum ObjectOrigin: String, Sendable, Hashable, Codable {
    /// A box annotated in the dataset: a thing, counted ("3 ships").
    case annotation
    /// A region from M2B: an area, never counted like a thing ("an area of forest").
    case m2b
}

/// One object as B2C sees it: its class in English, its box and its flags.
public struct B2CObject: Sendable, Hashable {
    /// The class in English.
    public var name: ClassName
    /// The axis-aligned box in pixels; only its centre matters to B2C.
    public var box: AxisBox
    /// Annotation or M2B.
    public var origin: ObjectOrigin
    /// Marked difficult by the annotators.
    public var difficult: Bool
    /// Marked ignore (crowd, ignored region).
    public var ignore: Bool

    public init(name: ClassName, box: AxisBox, origin: ObjectOrigin = .annotation,
                difficult: Bool = false, ignore: Bool = false) {
        self.name = name
        self.box = box
        self.origin = origin
        self.difficult = difficult
        self.ignore = ignore
    }
}

/// The size of an image in pixels.
public struct ImageSize: Sendable, Hashable, Codable {
    public var width: Double
    public var height: Double
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }
}

/// The rule that made a B2C caption, stored with it in the corpus.
public enum B2CRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// Objects whose box centre lies in the central region ("in the middle of the picture").
    case center
    /// Objects whose box centre lies outside it ("at the edge of the picture").
    case edge
    /// Counts over randomly picked classes of the whole image.
    case count
}

/// One generated caption and the rule that made it.
public struct B2CCaption: Sendable, Hashable, Codable {
    public var text: String
    public var rule: B2CRule
    public init(text: String, rule: B2CRule) {
        self.text = text
        self.rule = rule
    }
}

/// What to do with objects marked difficult. Ignored objects (crowds, ignored regions) are always left out:
/// they are not objects but regions to skip.
public enum DifficultPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Keep difficult objects: they are real objects, only hard to see (DOTA difficulty 1). The default.
    case include
    /// Leave them out, as if they were not annotated.
    case exclude
}

/// The knobs of B2C. Defaults follow RemoteCLIP: five captions, the central half of each side.
public struct B2COptions: Sendable, Hashable, Codable {
    /// Captions per image (at most; fewer when the objects cannot give that many distinct ones).
    public var perImage: Int
    /// The side of the central region as a fraction of the image's width and height, centred:
    /// 0.5 means x in [W/4, 3W/4] and y in [H/4, 3H/4]. A box is central when its centre lies inside.
    public var centerFraction: Double
    /// What to do with difficult objects.
    public var difficult: DifficultPolicy
    /// The most classes one caption names (keeps captions readable and within CLIP's context).
    public var maxClassesPerCaption: Int
    /// The most CLIP tokens a caption may take, start and end tokens included.
    public var tokenLimit: Int

    public init(perImage: Int = 5, centerFraction: Double = 0.5, difficult: DifficultPolicy = .include,
                maxClassesPerCaption: Int = 4, tokenLimit: Int = 77) {
        self.perImage = perImage
        self.centerFraction = centerFraction
        self.difficult = difficult
        self.maxClassesPerCaption = maxClassesPerCaption
        self.tokenLimit = tokenLimit
    }

    /// Throws when an option is out of range, naming it.
    public func validate() throws(TextError) {
        guard perImage >= 1 && perImage <= 100 else {
            throw .invalidOption(name: "per-image", value: "\(perImage)", expected: "an integer from 1 to 100")
        }
        guard centerFraction > 0 && centerFraction <= 1 else {
            throw .invalidOption(name: "center-region", value: "\(centerFraction)", expected: "a fraction in (0, 1]")
        }
        guard maxClassesPerCaption >= 1 else {
            throw .invalidOption(name: "max-classes", value: "\(maxClassesPerCaption)", expected: "at least 1")
        }
        guard tokenLimit >= 16 && tokenLimit <= 77 else {
            throw .invalidOption(name: "token-limit", value: "\(tokenLimit)", expected: "16 to 77")
        }
    }

    /// True when the centre of `box` lies in the central region of an image of `size` (edges included).
    public func isCentral(_ box: AxisBox, in size: ImageSize) -> Bool {
        let margin = (1 - centerFraction) / 2
        let center = box.center
        return center.x >= size.width * margin && center.x <= size.width * (1 - margin)
            && center.y >= size.height * margin && center.y <= size.height * (1 - margin)
    }
}
