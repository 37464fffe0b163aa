/// Which level of HRSC2016's three-level class tree an object's class is reported at.
public enum HRSCClassLevel: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Level 0 (`Class_Layer` 0): every object is a ship, as RemoteCLIP counts HRSC (one class).
    case ship
    /// Level 1: aircraft carrier, warcraft, merchant ship or submarine.
    case category
    /// Level 2: the ship type (Nimitz, Arleigh Burke, container ship, ...).
    case type

    public var description: String { rawValue }

    /// The layer number `sysdata.xml` gives this level.
    public var layer: Int {
        switch self {
        case .ship: 0
        case .category: 1
        case .type: 2
        }
    }
}

/// HRSC2016's class tree as its `FullDataSet/sysdata.xml` defines it (`HRSC_Classes/HRSC_Class`: `Class_ID`,
/// `Class_Layer`, parent `HRS_Class_ID`, `Class_ShortName`): one root (ship), four categories, 26 types.
///
/// Annotation files give each object's `Class_ID` (a type, a category, or the root for a ship of unknown type).
/// The names here are `Class_ShortName`s as mmrotate's `HRSCDataset.HRSC_CLASSES` lists them (ids 01-33 in
/// order, 21 and 23 unused); the parents follow `HRS_Class_ID`. `Schemas/classes/hrsc.json` turns each name
/// into English for captions.
public enum HRSCClasses {
    /// One class of the tree.
    public struct Entry: Sendable, Hashable {
        /// `Class_ShortName`.
        public var name: String
        /// `Class_Layer`: 0, 1 or 2.
        public var layer: Int
        /// `HRS_Class_ID`, nil for the root.
        public var parent: Int?
    }

    /// The root, `Class_ID` 100000001.
    public static let rootID = 100_000_001

    /// `Class_ID` -> class.
    public static let entries: [Int: Entry] = {
        let carrier = 100_000_002, warcraft = 100_000_003, merchant = 100_000_004
        let table: [(Int, String, Int, Int?)] = [
            (1, "ship", 0, nil),
            (2, "aircraft carrier", 1, rootID), (3, "warcraft", 1, rootID), (4, "merchant ship", 1, rootID),
            (27, "submarine", 1, rootID),
            (5, "Nimitz", 2, carrier), (6, "Enterprise", 2, carrier), (7, "Arleigh Burke", 2, warcraft),
            (8, "WhidbeyIsland", 2, warcraft), (9, "Perry", 2, warcraft), (10, "Sanantonio", 2, warcraft),
            (11, "Ticonderoga", 2, warcraft), (12, "Kitty Hawk", 2, carrier), (13, "Kuznetsov", 2, carrier),
            (14, "Abukuma", 2, warcraft), (15, "Austen", 2, warcraft), (16, "Tarawa", 2, carrier),
            (17, "Blue Ridge", 2, warcraft), (18, "Container", 2, merchant), (19, "OXo|--)", 2, warcraft),
            (20, "Car carrier([]==[])", 2, merchant), (22, "Hovercraft", 2, merchant), (24, "yacht", 2, merchant),
            (25, "CntShip(_|.--.--|_]=", 2, merchant), (26, "Cruise", 2, merchant), (28, "lute", 2, warcraft),
            (29, "Medical", 2, warcraft), (30, "Car carrier(======|", 2, merchant), (31, "Ford-class", 2, carrier),
            (32, "Midway-class", 2, carrier), (33, "Invincible-class", 2, carrier),
        ]
        var entries: [Int: Entry] = [:]
        for (number, name, layer, parent) in table {
            entries[100_000_000 + number] = Entry(name: name, layer: layer, parent: parent)
        }
        return entries
    }()

    /// The name of class `id` at `level`: its ancestor at that level, or its own name when it sits higher
    /// (a ship of unknown type stays "ship" at every level); nil for an id the tree does not have.
    public static func name(of id: Int, at level: HRSCClassLevel) -> String? {
        guard var entry = entries[id] else { return nil }
        while entry.layer > level.layer, let parent = entry.parent, let up = entries[parent] {
            entry = up
        }
        return entry.name
    }
}
